"""What the back office's pages say, French first (the reading pages' texts are in `site_texts.py`)."""
from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "sign_in": "Se connecter", "email": "Adresse électronique", "password": "Mot de passe",
        "sign_in_button": "Se connecter", "signed_out": "Vous êtes déconnecté.",
        "sign_in_help": "L'espace des villes et du secrétariat de l'AIMF. Pas encore de compte ? Le secrétariat "
                        "vous envoie une invitation.",
        "choose_password": "Choisir votre mot de passe", "welcome": "Bienvenue, {name}.",
        "password_help": "Au moins 12 caractères ; une phrase dont vous vous souviendrez fait très bien l'affaire.",
        "confirmation": "Le même mot de passe, encore une fois", "save_password": "Enregistrer et se connecter",
        "space": "Mon espace", "hello": "Bonjour, {name}.", "your_role": "Rôle", "your_city": "Ville",
        "sign_out": "Se déconnecter", "sign_out_everywhere": "Se déconnecter sur tous les appareils",
        "sign_out_everywhere_help": "Met fin à toutes vos sessions ouvertes, ici et ailleurs.",
        "secretariat_tools": "Secrétariat", "people": "Personnes", "tokens": "Jetons d'accès aux API",
        "role_contributor": "contributeur d'une ville", "role_secretariat": "secrétariat",
        "role_admin": "administration", "state_invited": "invitée", "state_active": "active",
        "state_disabled": "désactivée", "name": "Nom", "role": "Rôle", "city": "Ville", "state": "État",
        "actions": "Actions", "invite": "Inviter une personne", "invite_button": "Inviter",
        "invite_again": "Nouveau lien", "disable": "Désactiver", "none_city": "— (aucune) —",
        "city_help": "Seulement pour un contributeur : la ville pour laquelle il publie.",
        "link_once": "Lien d'invitation pour {name} — affiché une seule fois, valable 7 jours. Transmettez-le "
                     "à la personne par un canal sûr :",
        "token_once": "Jeton « {name} » — affiché une seule fois. Gardez-le en lieu sûr :",
        "new_token": "Créer un jeton", "token_name": "Usage du jeton (qui ou quoi l'utilise)",
        "create": "Créer", "revoke": "Révoquer", "created": "Créé le", "revoked": "révoqué",
        "active": "actif", "no_people": "Personne pour l'instant.", "no_tokens": "Aucun jeton.",
        "refused": "Action refusée", "home": "Accueil de Graphe", "you": "(vous)",
        "people_help": "Les comptes ne sont jamais supprimés : désactivés, ils gardent leur nom dans le journal.",
        "tokens_help": "Un jeton donne accès aux mutations GraphQL et à l'import par programme. Seule son "
                       "empreinte est conservée.",
    },
    "en": {
        "sign_in": "Sign in", "email": "E-mail address", "password": "Password",
        "sign_in_button": "Sign in", "signed_out": "You are signed out.",
        "sign_in_help": "The space of the cities and of the AIMF secretariat. No account yet? The secretariat "
                        "sends you an invitation.",
        "choose_password": "Choose your password", "welcome": "Welcome, {name}.",
        "password_help": "At least 12 characters; a sentence you will remember will do.",
        "confirmation": "The same password again", "save_password": "Save and sign in",
        "space": "My space", "hello": "Hello, {name}.", "your_role": "Role", "your_city": "City",
        "sign_out": "Sign out", "sign_out_everywhere": "Sign out on every device",
        "sign_out_everywhere_help": "Ends all your open sessions, here and elsewhere.",
        "secretariat_tools": "Secretariat", "people": "People", "tokens": "API access tokens",
        "role_contributor": "contributor for a city", "role_secretariat": "secretariat",
        "role_admin": "administration", "state_invited": "invited", "state_active": "active",
        "state_disabled": "disabled", "name": "Name", "role": "Role", "city": "City", "state": "State",
        "actions": "Actions", "invite": "Invite someone", "invite_button": "Invite",
        "invite_again": "New link", "disable": "Disable", "none_city": "— (none) —",
        "city_help": "Only for a contributor: the city they publish for.",
        "link_once": "Invitation link for {name} — shown only once, valid for 7 days. Give it to the person "
                     "through a safe channel:",
        "token_once": "Token '{name}' — shown only once. Keep it somewhere safe:",
        "new_token": "Create a token", "token_name": "What the token is for (who or what uses it)",
        "create": "Create", "revoke": "Revoke", "created": "Created on", "revoked": "revoked",
        "active": "active", "no_people": "Nobody yet.", "no_tokens": "No token.",
        "refused": "Action refused", "home": "Graphe home", "you": "(you)",
        "people_help": "Accounts are never deleted: disabled, they keep their name in the log.",
        "tokens_help": "A token gives access to the GraphQL mutations and to imports by program. Only its "
                       "fingerprint is kept.",
    },
}
