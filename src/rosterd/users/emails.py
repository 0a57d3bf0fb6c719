"""Email metadata Appwrite keeps beside the address: canonical form and provider kind.

Disposable domains come from the maintained `disposable-email-domains` list. No
maintained package lists free-mail providers, so `FREE_PROVIDERS` is our own short
list of the large ones; `docs/compatibility.md` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from disposable_email_domains import blocklist

FREE_PROVIDERS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "ymail.com",
        "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "msn.com", "icloud.com",
        "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de",
        "gmx.net", "web.de", "mail.com", "mail.ru", "yandex.com", "yandex.ru", "zoho.com",
        "qq.com", "163.com", "126.com", "naver.com", "free.fr", "orange.fr", "libero.it",
        "tutanota.com", "fastmail.com", "hey.com",
    }
)  # fmt: skip

_GOOGLE = frozenset({"gmail.com", "googlemail.com"})


@dataclass(frozen=True)
class EmailFacts:
    canonical: str
    is_canonical: bool
    is_free: bool
    is_disposable: bool
    is_corporate: bool


def canonical(address: str) -> str:
    """Gmail ignores dots and `+tags` in the local part; elsewhere only case is folded."""
    local, _, domain = address.lower().rpartition("@")
    if domain in _GOOGLE:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def facts(address: str) -> EmailFacts:
    domain = address.lower().rpartition("@")[2]
    is_disposable = domain in blocklist
    is_free = domain in FREE_PROVIDERS and not is_disposable
    canonical_form = canonical(address)
    return EmailFacts(
        canonical=canonical_form,
        is_canonical=canonical_form == address.lower(),
        is_free=is_free,
        is_disposable=is_disposable,
        is_corporate=not is_free and not is_disposable,
    )
