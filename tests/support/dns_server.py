"""A tiny real DNS server for tests of `serve --dns IP:PORT`: UDP on 127.0.0.1, answering TXT
and CNAME questions from a dict the test fills, everything else NXDOMAIN (dnspython's wire format)."""
from __future__ import annotations

import socket
import threading

import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset


class DnsServer:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}  # (name, "TXT"|"CNAME") -> values
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="test-dns", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def publish(self, name: str, rtype: str, *values: str) -> None:
        self.records[(name.lower().rstrip("."), rtype)] = list(values)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, client = self._sock.recvfrom(4096)
            except (socket.timeout, OSError):
                continue
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text(omit_final_dot=True).lower()
            rtype = dns.rdatatype.to_text(question.rdtype)
            values = self.records.get((name, rtype))
            if values:
                if rtype == "TXT":  # long text goes out as 255-byte strings, as real zones hold it
                    texts = [" ".join(f'"{v[i:i + 255]}"' for i in range(0, len(v), 255)) for v in values]
                else:
                    texts = [v + "." for v in values]
                response.answer.append(dns.rrset.from_text_list(question.name, 60, dns.rdataclass.IN, rtype, texts))
            elif not any(key[0] == name for key in self.records):
                response.set_rcode(dns.rcode.NXDOMAIN)
            self._sock.sendto(response.to_wire(), client)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()
