"""Pure relay decisions: URL parsing, which recipients are relayed, retry schedule, outcomes."""
from __future__ import annotations

import aiosmtplib
import pytest

from gclap_sandbox.patterns import compile_pattern
from gclap_sandbox.relay.config import RelayConfig, classify, parse_relay_url

URL = "smtp://127.0.0.1:2525"


def test_glob_and_regex_patterns_ignore_case():
    assert compile_pattern("*@example.com").matches("Ana@EXAMPLE.com")
    assert not compile_pattern("*@example.com").matches("ana@example.com.evil.test")
    assert compile_pattern(r"re:^qa-\d+@").matches("qa-12@corp.test")
    assert not compile_pattern(r"re:^qa-\d+@").matches("xqa-12@corp.test")


@pytest.mark.parametrize("bad", ["", "  ", "re:", "re:("])
def test_bad_patterns_are_refused(bad):
    with pytest.raises(ValueError):
        compile_pattern(bad)


def test_relay_url_forms():
    plain = parse_relay_url("smtp://mail.test:2525")
    assert (plain.host, plain.port, plain.implicit_tls, plain.starttls) == ("mail.test", 2525, False, None)
    secure = parse_relay_url("smtps://me%40corp:s%3Acret@mail.test")
    assert (secure.port, secure.implicit_tls, secure.username, secure.password) == (465, True, "me@corp", "s:cret")
    assert secure.display == "smtps://me@corp@mail.test:465"
    assert parse_relay_url("smtp://h:587?starttls=require").starttls is True
    assert parse_relay_url("smtp://h?starttls=off&verify=false").verify_tls is False


@pytest.mark.parametrize("bad", ["http://h:25", "smtp://:25", "smtp://h:99999", "smtp://h?tls=1",
                                 "smtp://h?starttls=maybe", "smtps://h?starttls=require"])
def test_bad_relay_urls_are_refused(bad):
    with pytest.raises(ValueError):
        parse_relay_url(bad)


def test_mode_all_relays_everyone_not_denied():
    config = RelayConfig.build(URL, deny=["*@customers.test"])
    assert config.mode == "all"
    assert config.auto_recipients(["a@team.test", "b@customers.test"]) == ["a@team.test"]


def test_mode_matching_needs_allow_and_deny_wins():
    config = RelayConfig.build(URL, allow=["*@team.test", "re:^ops"], deny=["boss@team.test"])
    assert config.mode == "matching"  # the default once allow patterns are given
    assert config.auto_recipients(["a@team.test", "boss@team.test", "ops@else.test", "x@else.test"]) == [
        "a@team.test", "ops@else.test"]
    with pytest.raises(ValueError, match="--relay-allow"):
        RelayConfig.build(URL, mode="matching")


def test_mode_manual_relays_nothing_automatically_but_release_still_honours_deny():
    config = RelayConfig.build(URL, mode="manual", deny=["*@prod.test"])
    assert config.auto_recipients(["a@team.test"]) == []
    assert config.release_recipients(["a@team.test", "c@prod.test"]) == (["a@team.test"], ["c@prod.test"])


def test_invalid_flags_name_themselves():
    with pytest.raises(ValueError, match="--relay-deny"):
        RelayConfig.build(URL, deny=["re:["])
    with pytest.raises(ValueError, match="--relay-mode"):
        RelayConfig.build(URL, mode="sometimes")


def test_retry_schedule_then_give_up():
    config = RelayConfig.build(URL, retry_delays=[1, 5])
    assert [config.retry_delay(n) for n in (1, 2, 3)] == [1.0, 5.0, None]


def test_outcomes_separate_temporary_from_permanent():
    ok = classify(["a@x.test", "b@x.test"], None, {"b@x.test": (450, "busy")}, (250, "queued"))
    assert ok.accepted == ["a@x.test"] and ok.retry == ["b@x.test"] and ok.refused == {"b@x.test": "450 busy"}
    down = classify(["a@x.test"], ConnectionRefusedError(111, "Connection refused"))
    assert down.code is None and down.retry == ["a@x.test"]
    rejected = classify(["a@x.test"], aiosmtplib.SMTPDataError(554, "spam"))
    assert (rejected.code, rejected.retry) == (554, [])
    later = classify(["a@x.test"], aiosmtplib.SMTPDataError(451, "later"))
    assert later.retry == ["a@x.test"]
    refused = classify(["a@x.test", "b@x.test"], aiosmtplib.SMTPRecipientsRefused([
        aiosmtplib.SMTPRecipientRefused(550, "no such user", "a@x.test"),
        aiosmtplib.SMTPRecipientRefused(451, "greylisted", "b@x.test")]))
    assert refused.retry == ["b@x.test"] and set(refused.refused) == {"a@x.test", "b@x.test"}


def test_unsendable_addresses_are_not_retried():
    outcome = classify(["a b@x.test"], ValueError("Address 'a b@x.test' contains characters not permitted"))
    assert outcome.code is None and outcome.retry == []
