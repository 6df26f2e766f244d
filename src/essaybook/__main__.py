from essaybook.cli import main

main()
