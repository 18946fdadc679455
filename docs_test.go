package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The user documentation's shape: a short README whose links resolve, and
// page templates that read well on the Terraform Registry, which shows only
// docs/ (a relative link to a repository file breaks there).

// maxReadmeLines bounds README.md: the overview, quickstart and links; the
// manual is in the guides, the design notes in CONTRIBUTING.md.
const maxReadmeLines = 200

var (
	markdownLinkRe = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// Where a page under docs/ may link: another page of docs/ the
	// tfplugindocs way, the web, or an anchor.
	registryLinkRe = regexp.MustCompile(`^(\.\./(guides|resources|actions|data-sources)/[a-z0-9_-]+(#[a-z0-9-]+)?|https?://\S+|#[a-z0-9-]+)$`)
	frontMatterRe  = regexp.MustCompile(`(?s)\A---\npage_title: "[^"\n]+"\nsubcategory: "[^"\n]*"\ndescription: \|-\n  \S[^\n]*\n---\n`)
)

func TestReadmeShortAndLinked(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), "\n"); n > maxReadmeLines {
		t.Errorf("README.md has %d lines, more than %d: move the detail into a guide (templates/guides/) or CONTRIBUTING.md", n, maxReadmeLines)
	}
	for _, m := range markdownLinkRe.FindAllStringSubmatch(string(raw), -1) {
		link, _, _ := strings.Cut(m[1], "#")
		if link == "" || strings.HasPrefix(link, "http://") || strings.HasPrefix(link, "https://") {
			continue
		}
		// docs/ is generated: a guide's page exists once its template does.
		if name, ok := strings.CutPrefix(link, "docs/guides/"); ok {
			link = filepath.Join("templates", "guides", strings.TrimSuffix(name, ".md")+".md.tmpl")
		}
		if _, err := os.Stat(link); err != nil {
			t.Errorf("README.md links to %s, which does not exist", m[1])
		}
	}
}

func TestPageTemplatesReadOnTheRegistry(t *testing.T) {
	files, err := filepath.Glob("templates/*/*.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	guides := 0
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		if strings.HasPrefix(file, filepath.Join("templates", "guides")+string(filepath.Separator)) {
			guides++
			if !frontMatterRe.MatchString(text) {
				t.Errorf("%s does not start with the guides' front matter (page_title, subcategory, description), as templates/guides/action-or-resource.md.tmpl does", file)
			}
		}
		for _, m := range markdownLinkRe.FindAllStringSubmatch(text, -1) {
			if !registryLinkRe.MatchString(m[1]) {
				t.Errorf("%s links to %s, which breaks on the Registry: link a page as ../guides/<name> (or ../resources/, ../actions/, ../data-sources/), or name a repository file without a link", file, m[1])
				continue
			}
			if name, ok := strings.CutPrefix(m[1], "../guides/"); ok {
				name, _, _ = strings.Cut(name, "#")
				if _, err := os.Stat(filepath.Join("templates", "guides", name+".md.tmpl")); err != nil {
					t.Errorf("%s links to the guide %s, which has no template", file, m[1])
				}
			}
		}
	}
	if guides == 0 {
		t.Error("no guide under templates/guides/")
	}
}
