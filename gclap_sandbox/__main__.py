from gclap_sandbox.cli.commands import main

main()
