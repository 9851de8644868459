"""`serve` flags for plans, SMTP AUTH and TLS refuse bad combinations before starting."""
from __future__ import annotations

from click.testing import CliRunner

from gclap_sandbox.cli.commands import main


def test_bad_plan_and_tls_flags_are_usage_errors(tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    runner = CliRunner()
    for args in (["--plan", "enterprise"], ["--smtp-auth", "sometimes"], ["--smtp-tls", "magic"],
                 ["--smtp-tls-cert", str(cert)], ["--smtp-tls", "self-signed", "--smtp-tls-cert", str(cert),
                                                  "--smtp-tls-key", str(cert)]):
        result = runner.invoke(main, ["serve", *args])
        assert result.exit_code == 1, (args, result.output)
