"""The words of the sign-in pages: bokmål, with English (pure)."""

from __future__ import annotations

_NB: dict[str, str] = {
    "title": "Overdosevarsel",
    "signin": "Logg inn",
    "signin.hint": "Skriv mobilnummeret ditt. Er det registrert på et team, får du en SMS med "
    "en lenke som logger deg inn. Lenken virker i {n} minutter, én gang.",
    "mobile": "Mobilnummer",
    "send_link": "Send meg en lenke",
    "sent": "Sjekk SMS-ene dine",
    "sent.text": "Er nummeret registrert på et team, har du fått en SMS med en lenke. Den "
    "virker i {n} minutter, én gang. Kom ingen SMS? Spør lederen av teamet ditt.",
    "invalid_mobile": "Skriv et norsk mobilnummer (8 siffer, begynner med 4 eller 9).",
    "oidc": "Logg inn via kommunen",
    "oidc.text": "Her logger du inn med kommunens innlogging, ikke med SMS.",
    "confirm": "Logg inn i Overdosevarsel",
    "confirm.one": "Du logger inn som medlem av {team}, {municipality}.",
    "confirm.many": "Nummeret ditt er registrert på flere team. Velg hvilket du vil logge inn for.",
    "confirm.for": "Logg inn for {team}, {municipality}",
    "me": "Du er logget inn",
    "me.team": "Team",
    "me.role": "Rolle",
    "me.municipality": "Kommune",
    "me.leader": "Leder: du ser hele kommunens saker.",
    "me.until": "Innlogget til",
    "signout": "Logg ut",
    "signed_out": "Du er logget ut.",
    "link.unknown": "Lenken finnes ikke",
    "link.unknown.text": "Sjekk at hele lenken kom med, eller be om en ny.",
    "link.used": "Lenken er brukt",
    "link.used.text": "En innloggingslenke virker bare én gang. Be om en ny.",
    "link.expired": "Lenken er utløpt",
    "link.expired.text": "En innloggingslenke virker bare en kort stund. Be om en ny.",
    "link.no_member": "Ingen aktiv bruker",
    "link.no_member.text": "Nummeret er ikke lenger registrert på et aktivt team. Spør "
    "lederen av teamet ditt.",
    "forbidden": "Ikke tillatt",
    "forbidden.text": "Skjemaet var utløpt eller kom fra en annen side. Last siden på nytt og "
    "prøv igjen.",
    "too_many": "For mange forsøk",
    "too_many.text": "Vent {seconds} sekunder og prøv igjen.",
    "new_link": "Be om en ny lenke",
}

_EN: dict[str, str] = {
    "title": "Overdose alert",
    "signin": "Sign in",
    "signin.hint": "Enter your mobile number. If it is registered on a team, you get an SMS "
    "with a link that signs you in. The link works for {n} minutes, once.",
    "mobile": "Mobile number",
    "send_link": "Send me a link",
    "sent": "Check your SMS",
    "sent.text": "If the number is registered on a team, you got an SMS with a link. It works "
    "for {n} minutes, once. No SMS? Ask your team's leader.",
    "invalid_mobile": "Enter a Norwegian mobile number (8 digits, starting with 4 or 9).",
    "oidc": "Sign in through the municipality",
    "oidc.text": "Here you sign in with the municipality's login, not by SMS.",
    "confirm": "Sign in to Overdose alert",
    "confirm.one": "You sign in as a member of {team}, {municipality}.",
    "confirm.many": "Your number is registered on several teams. Choose the one to sign in for.",
    "confirm.for": "Sign in for {team}, {municipality}",
    "me": "You are signed in",
    "me.team": "Team",
    "me.role": "Role",
    "me.municipality": "Municipality",
    "me.leader": "Leader: you see all the municipality's cases.",
    "me.until": "Signed in until",
    "signout": "Sign out",
    "signed_out": "You are signed out.",
    "link.unknown": "No such link",
    "link.unknown.text": "Check that the whole link came through, or ask for a new one.",
    "link.used": "The link was used",
    "link.used.text": "A sign-in link works once. Ask for a new one.",
    "link.expired": "The link has expired",
    "link.expired.text": "A sign-in link works only for a short while. Ask for a new one.",
    "link.no_member": "No active user",
    "link.no_member.text": "The number is no longer registered on an active team. Ask your "
    "team's leader.",
    "forbidden": "Not allowed",
    "forbidden.text": "The form had expired or came from another site. Reload the page and try "
    "again.",
    "too_many": "Too many attempts",
    "too_many.text": "Wait {seconds} seconds and try again.",
    "new_link": "Ask for a new link",
}


def words(language: str) -> dict[str, str]:
    return _EN if language == "en" else _NB
