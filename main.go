// Command deputybot is the WeChat service for people's-congress deputies.
package main

import "deputybot/cli"

func main() { cli.Main() }
