from keraslint.cli import main

main()
