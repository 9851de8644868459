from gclap_sandbox.cli import main

main()
