"""MAIL FROM and RCPT TO addresses read once per distinct argument.

aiosmtpd parses each command's address with the `email` package's header parser (and defines a
class while doing so), which costs more than the rest of the command. A client names the same
few senders and recipients again and again, so the parse of an argument is kept: the answer
is the same as aiosmtpd's (`address`, rest), or (None, None) for an address it cannot read.
"""
from __future__ import annotations

import functools

from aiosmtpd.smtp import SMTP
from email._header_value_parser import get_addr_spec, get_angle_addr
from email.errors import HeaderParseError

# Arguments are bounded by the command line limit (512 octets and the ESMTP extras): a full
# cache stays within a few megabytes.
CACHED_ARGUMENTS = 4096


@functools.lru_cache(maxsize=CACHED_ARGUMENTS)
def parse_address(arg: str) -> tuple[str | None, str | None]:
    """(address, the rest of the argument), or (None, None) when it is not an address."""
    try:
        token, rest = (get_angle_addr if arg.lstrip().startswith("<") else get_addr_spec)(arg)
    except HeaderParseError:
        return None, None
    return token.addr_spec, rest


class CachedAddressSMTP(SMTP):
    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        if not arg:
            return "", ""
        address, rest = parse_address(arg)
        if address is None:
            return None, None
        if self.local_part_limit and len(address.rpartition("@")[0]) > self.local_part_limit:
            return None, None
        return address, rest
