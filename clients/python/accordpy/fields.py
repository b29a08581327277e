"""The entities, their fields, and the stored form of each field's value.

The server refuses a whole push when one value is not in its stored form (PROTOCOL.md §7), and a
refused batch would block every later edit behind it, so values are brought to that form and
checked here, when the analyst edits, the way the Swift replica does (Sources/Domain/FieldType),
with the few rules across fields that the replicas keep (an amount needs a currency).
"""

import datetime
import re
import unicodedata
import urllib.parse

from .errors import DataError

DELETED = "deleted"

KINDS = ("finance", "humanitarian", "programme", "agreement", "action-plan", "membership", "statement")
QUALIFIERS = ("exact", "up-to", "at-least", "about", "more-than")
STATUSES = ("announced", "pledged", "in-progress", "delivered", "lapsed")

# Active ISO 4217 codes, as the server checks them.
CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES
KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD
TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAD XAF XAG XAU XBA XBB XBC XBD XCD XCG
XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG
""".split())

# Each entity's fields in their canonical order (the SQL columns after `id`, before `deleted`),
# with the form of their values: (kind, argument).
ENTITIES = {
    "commitments": {
        "title": ("text", 200), "party": ("text", 200), "beneficiary": ("text", 200),
        "kind": ("choice", KINDS), "amount": ("decimal", None), "currency": ("currency", None),
        "qualifier": ("choice", QUALIFIERS), "disbursed": ("decimal", None),
        "status": ("choice", STATUSES), "meeting_id": ("reference", None), "date": ("date", None),
        "period_start": ("year", None), "period_end": ("year", None), "progress": ("percent", None),
        "source_url": ("url", None), "source_quote": ("multiline", 4000), "tags": ("tags", None),
        "notes": ("multiline", 4000),
    },
    "meetings": {
        "name": ("text", 200), "series": ("text", 100), "location": ("text", 200),
        "start_date": ("date", None), "end_date": ("date", None), "notes": ("multiline", 4000),
    },
}

REQUIRED = {"commitments": ("title", "party"), "meetings": ("name",)}

# Rules across fields, kept by the replicas (the server checks each value alone, §7):
# ("requires", field, needed) and ("not_before", later, earlier).
ROW_RULES = {
    "commitments": (("requires", "amount", "currency"), ("requires", "disbursed", "currency"),
                    ("not_before", "period_end", "period_start")),
    "meetings": (("not_before", "end_date", "start_date"),),
}

# The replicated conflict records (§6.3): the server writes them, pull brings them.
CONFLICT_FIELDS = (
    "entity", "row_id", "field", "standing_value", "standing_hlc", "standing_replica_id",
    "standing_analyst", "other_value", "other_hlc", "other_replica_id", "other_analyst", "status",
)

# What a pulled row may write, per entity; anything else is ignored (a newer server's addition).
SYNCED_COLUMNS = {name: frozenset(fields) | {DELETED} for name, fields in ENTITIES.items()}
SYNCED_COLUMNS["conflicts"] = frozenset(CONFLICT_FIELDS)

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DECIMAL = re.compile(r"^([0-9]{1,30})(\.[0-9]{1,12})?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def schema(entity):
    """The fields of `entity`, or a DataError naming the entities there are."""
    try:
        return ENTITIES[entity]
    except KeyError:
        raise DataError(f"{entity} is not an entity; use commitments or meetings") from None


def record_id(text):
    """A row id in its wire form (a lowercase UUID), or None when `text` is not one."""
    return text.lower() if isinstance(text, str) and _UUID.match(text) else None


def normalize(entity, field, raw):
    """The stored form of `raw` for `field`: what the server accepts and every replica compares.

    None or blank text is no value. Text is trimmed and in Unicode NFC, so look-alike spellings
    are the same bytes everywhere; decimals keep their exact digits (a float would not).
    """
    fields = schema(entity)
    if field not in fields:
        raise DataError(f"{field} is not a field of {entity}")
    kind, argument = fields[field]
    if kind == "tags" and isinstance(raw, (list, tuple)):
        raw = ";".join(str(tag) for tag in raw)
    if raw is None:
        return None
    if isinstance(raw, bool) or isinstance(raw, float):
        raise DataError(f"{field}: give {type(raw).__name__} values as text, e.g. \"17000000\" or \"94.48\"")
    text = unicodedata.normalize("NFC", str(raw).strip())
    if not text:
        return None
    try:
        return _FORMS[kind](text, argument)
    except ValueError as error:
        raise DataError(f"{field}: {error}") from None


def check_row(entity, values, changed=None):
    """Refuses a row that breaks a rule across fields. With `changed`, only the rules that
    involve a changed field: a row that sync merged into breaking one stays editable."""
    for rule, field, other in ROW_RULES[entity]:
        if changed is not None and field not in changed and other not in changed:
            continue
        value, other_value = values.get(field), values.get(other)
        if rule == "requires" and value is not None and other_value is None:
            raise DataError(f"{other} is required when {field} is set")
        if (rule == "not_before" and value is not None and other_value is not None
                and len(str(value)) == len(str(other_value)) and str(value) < str(other_value)):
            raise DataError(f"{field} {value} is before {other} {other_value}")


def _text(text, limit, multiline=False):
    if len(text) > limit:
        raise ValueError(f"is {len(text)} characters long; the limit is {limit}")
    if len(text.encode("utf-8")) > 4 * limit:
        raise ValueError(f"is longer than {4 * limit} bytes")
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in text):
        raise ValueError("contains control characters" if multiline else "must be one line without control characters")
    return text


def _choice(text, allowed):
    if text not in allowed:
        raise ValueError(f"\"{text}\" is not one of {', '.join(allowed)}")
    return text


def _decimal(text, _=None):
    match = _DECIMAL.match(text)
    if not match:
        raise ValueError(f"\"{text}\" is not a non-negative decimal like 17000000 or 94.48")
    return (match.group(1).lstrip("0") or "0") + (match.group(2) or "")


def _percent(text, _):
    value = _decimal(text)
    whole, _, fraction = value.partition(".")
    if int(whole) > 100 or (int(whole) == 100 and fraction.strip("0")):
        raise ValueError(f"{value} is outside 0–100")
    return value


def _currency(text, _):
    if text.upper() not in CURRENCIES:
        raise ValueError(f"\"{text}\" is not an active ISO 4217 currency code")
    return text.upper()


def _date(text, _):
    try:
        if not _DATE.match(text):
            raise ValueError
        datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"\"{text}\" is not a real date in the form YYYY-MM-DD") from None
    return text


def _year(text, _):
    if not re.fullmatch(r"[0-9]{4}", text) or not 1900 <= int(text) <= 2200:
        raise ValueError(f"\"{text}\" is not a year from 1900 to 2200")
    return int(text)


def _url(text, _):
    parts = urllib.parse.urlsplit(text) if len(text) <= 2000 else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"\"{text}\" is not an http(s) URL")
    return text


def _tags(text, _):
    tags = []
    for tag in (part.strip() for part in text.split(";")):
        if not tag:
            continue
        if len(tag) > 50 or any(unicodedata.category(c) == "Cc" for c in tag):
            raise ValueError(f"\"{tag}\" is not a tag (one line, at most 50 characters, no ';')")
        if tag not in tags:
            tags.append(tag)
    return ";".join(tags) or None


def _reference(text, _):
    identifier = record_id(text)
    if identifier is None:
        raise ValueError(f"\"{text}\" is not an id")
    return identifier


_FORMS = {
    "text": _text, "multiline": lambda text, limit: _text(text, limit, multiline=True),
    "choice": _choice, "decimal": _decimal, "percent": _percent, "currency": _currency,
    "date": _date, "year": _year, "url": _url, "tags": _tags, "reference": _reference,
}
