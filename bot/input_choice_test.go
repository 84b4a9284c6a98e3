package bot

import "testing"

// A choice may be replied with its number, its label, an alias, or a part
// of one label only; a part of several, a label inside a longer reply and
// a single character are not guessed.
func TestAChoiceIsMatchedByAPartOfOneLabel(t *testing.T) {
	categories := []Choice{{Value: "economy", Label: "经济发展"}, {Value: "transport", Label: "交通运输"},
		{Value: "farm", Label: "农业农村"}, {Value: "city", Label: "城乡建设"}}
	rating := []Choice{{Value: "satisfied", Label: "满意"}, {Value: "basic", Label: "基本满意"}, {Value: "unsatisfied", Label: "不满意"}}
	tests := []struct {
		choices []Choice
		word    string
		want    string // "" for no match
	}{
		{categories, "2", "transport"},
		{categories, "交通运输", "transport"},
		{categories, "交通", "transport"},
		{categories, "农村", "farm"},
		{categories, "交", ""},    // one character
		{categories, "农", ""},    // one character, and in two labels
		{categories, "建设交通", ""}, // no label holds it
		{rating, "基本", "basic"},
		{rating, "满意", "satisfied"},
		{rating, "不太满意", ""}, // a label inside the reply is no match
	}
	for _, tt := range tests {
		c, ok := matchChoice(tt.choices, tt.word)
		if got := c.Value; !ok {
			got = ""
		} else if got != tt.want {
			t.Errorf("%q matched %q, want %q", tt.word, got, tt.want)
		}
		if !ok && tt.want != "" {
			t.Errorf("%q matched nothing, want %q", tt.word, tt.want)
		}
	}
}
