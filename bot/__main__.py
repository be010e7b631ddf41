"""Allow `python -m bot …` as a synonym of the `ura` command."""

from bot.cli import main

main()
