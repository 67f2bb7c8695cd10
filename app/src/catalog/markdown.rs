//! Listing descriptions: a safe subset of Markdown rendered to HTML once, at save time.
//!
//! Two walls: raw HTML in the source is turned into text before rendering (so `<script>` is
//! shown, never run), and the rendered HTML is cleaned by `ammonia` with an allow-list of tags
//! and URL schemes (so `[x](javascript:…)` loses its link).

use std::collections::HashSet;

use pulldown_cmark::{Event, Options, Parser};

/// The tags a description may contain.
const ALLOWED_TAGS: &[&str] = &[
    "p",
    "br",
    "strong",
    "em",
    "del",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "a",
    "hr",
];

/// Renders `markdown` to sanitised HTML.
pub fn render(markdown: &str) -> String {
    let parser =
        Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH).map(|event| match event {
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
            other => other,
        });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default()
        .tags(ALLOWED_TAGS.iter().copied().collect::<HashSet<_>>())
        .url_schemes(
            ["http", "https", "mailto"]
                .into_iter()
                .collect::<HashSet<_>>(),
        )
        .link_rel(Some("nofollow noopener noreferrer ugc"))
        .clean(&html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_html() {
        let html = render("**Silk** dress\n\n- hand wash\n- *dry flat*");
        assert!(html.contains("<strong>Silk</strong>"));
        assert!(html.contains("<li>hand wash</li>"));
        assert!(html.contains("<em>dry flat</em>"));
    }

    #[test]
    fn scripts_and_handlers_never_survive() {
        for attack in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<iframe src=//evil.example></iframe>",
            "<svg><script>alert(1)</script></svg>",
        ] {
            let html = render(attack);
            assert!(!html.contains("<script"), "{attack} → {html}");
            assert!(!html.contains("<img"), "{attack} → {html}");
            assert!(!html.contains("<iframe"), "{attack} → {html}");
            assert!(!html.contains("<a href=\"javascript"), "{attack} → {html}");
        }
    }

    #[test]
    fn links_are_kept_but_marked() {
        let html = render("[shop](https://gala.example/b/lune)");
        assert!(html.contains("href=\"https://gala.example/b/lune\""));
        assert!(html.contains("rel=\"nofollow noopener noreferrer ugc\""));
    }
}
