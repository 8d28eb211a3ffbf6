package hostile

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
)

// Unsafe names what text (an output, a page, a stored value) holds that must not be there: a
// form of the secret, the internal marker, a raw escape sequence or bidi override. (Database files
// are binary: look for Leaks there, and for Unsafe in the values read back.)
func (i *Issuer) Unsafe(text string) []string {
	found := i.Leaks(text)
	for _, c := range []struct{ name, s string }{
		{"an escape character", "\x1b"}, {"a bell", "\x07"}, {"a bidi override", "\u202e"}, {"a bidi isolate", "\u2066"},
	} {
		if strings.Contains(text, c.s) {
			found = append(found, c.name)
		}
	}
	return found
}

// PageProblems names what a page of wifwiz holds that a hostile issuer put there to run: a
// script element that is not wifwiz's own, an element with an event handler, the img the Markup
// mode injects.
func PageProblems(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return []string{"not HTML: " + err.Error()}
	}
	var found []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			found = append(found, elementProblems(n)...)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

func elementProblems(n *html.Node) []string {
	var found []string
	src := ""
	for _, a := range n.Attr {
		if strings.HasPrefix(strings.ToLower(a.Key), "on") {
			found = append(found, fmt.Sprintf("<%s %s=…>", n.Data, a.Key))
		}
		if a.Key == "src" {
			src = a.Val
		}
	}
	switch {
	case n.Data == "script" && !strings.HasPrefix(src, "/static/"):
		found = append(found, "a script element that is not wifwiz's")
	case n.Data == "img" && src == "x":
		found = append(found, "the injected img")
	}
	return found
}
