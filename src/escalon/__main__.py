from escalon.entrypoints.cli.main import main

main()
