// Package model holds deputybot's domain: the records every surface shows
// (deputies, meetings, suggestions, opinions, campaigns …), their enums,
// Chinese labels and predicates, the list filters, and the sentinel errors.
// It imports nothing of deputybot: storage reads and writes these types,
// core applies the rules to them, and the console, the API, the chat and
// the H5 pages show them.
package model
