//! Status HTML → plain text. Statuses arrive as HTML from servers Earshot does not control;
//! ammonia (a maintained sanitiser) removes every tag, so only text reaches the store, the UI
//! and OS notifications. Scripts, event handlers and `javascript:` links cannot survive.

/// The text of a status's HTML, paragraphs and line breaks kept as newlines.
pub(crate) fn html_to_text(html: &str) -> String {
    let spaced = html
        .replace("<br>", "\n")
        .replace("<br/>", "\n")
        .replace("<br />", "\n")
        .replace("</p><p>", "\n\n");
    // A carriage return written as `&#13;` survives as text, but an HTML parser reads a raw
    // one as a newline: line ends are newlines here so that reading is the same both ways.
    unescape(&without_markup(&spaced))
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_owned()
}

/// The HTML with every element removed and its text escaped: no `<` is left in it.
fn without_markup(html: &str) -> String {
    ammonia::Builder::empty().clean(html).to_string()
}

/// Text as servers give it back, for telling whether a status is one Earshot sent: white
/// space collapsed (GoToSocial collapses runs of spaces) and mentions shortened to `@name`
/// (servers render `@bob@example.org` as `@bob`).
pub(crate) fn comparable(text: &str) -> String {
    text.split_whitespace()
        .map(
            |word| match word.strip_prefix('@').and_then(|rest| rest.find('@')) {
                Some(at) => {
                    let (name, domain) = word.split_at(at + 1);
                    let tail = domain[1..]
                        .trim_start_matches(|c: char| c.is_alphanumeric() || ".-_:".contains(c));
                    format!("{name}{tail}")
                }
                None => word.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// ammonia escapes what it keeps as text; the store wants the characters.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::{comparable, html_to_text};

    #[test]
    fn text_compares_as_servers_give_it_back() {
        assert_eq!(
            comparable("@bob@example.org  yes,\n8 pm! @carol@x.org:8080, see you"),
            "@bob yes, 8 pm! @carol, see you"
        );
        let rendered = html_to_text(
            r#"<p><span class="h-card"><a href="https://example.org/@bob" class="u-url mention" rel="nofollow noreferrer noopener" target="_blank">@<span>bob</span></a></span> yes, 8 pm!</p>"#,
        );
        assert_eq!(
            comparable(&rendered),
            comparable("@bob@example.org  yes, 8 pm!")
        );
        assert_ne!(comparable("@bob yes"), comparable("@bob no"));
    }

    #[test]
    fn keeps_the_words_and_drops_every_tag() {
        let html = r#"<p><span class="h-card"><a href="https://x/@bob" class="u-url mention">@<span>bob</span></a></span> is it on?</p><p>line<br>two &amp; more</p>"#;
        assert_eq!(html_to_text(html), "@bob is it on?\n\nline\ntwo & more");
    }

    #[test]
    fn hostile_markup_becomes_harmless_text() {
        let html = r#"<p>hi<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">click</a> &lt;b&gt;</p>"#;
        let text = html_to_text(html);
        assert_eq!(text, "hiclick <b>");
        assert!(!text.contains("alert"), "{text}");
    }

    #[test]
    fn carriage_returns_read_as_newlines() {
        // Found by `text_reads_back_the_same`: `&#13;` came back as `\r`, then as `\n`.
        assert_eq!(html_to_text("a&#13;b&#13;&#10;c"), "a\nb\nc");
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::{comparable, html_to_text, without_markup};

        fn config() -> ProptestConfig {
            ProptestConfig {
                cases: 256,
                failure_persistence: None,
                ..ProptestConfig::default()
            }
        }

        /// HTML as servers (and people pretending to be them) write it.
        fn html() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<String>(),
                "(<[a-z]{1,6}( [a-z]{1,5}=\"[^\"]{0,10}\")?>|</[a-z]{1,6}>|<br>|</p><p>|&[a-z]{2,4};|&#[0-9]{2,3};|<|>|&|[a-z ]{1,8}|<!--|-->|<script>|javascript:){0,30}",
            ]
        }

        /// Escapes text for HTML, as a server renders what was typed.
        fn escape(text: &str) -> String {
            text.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        }

        proptest! {
            #![proptest_config(config())]

            /// No element survives sanitising: every `<` left is an escaped character of the
            /// text (a post about `<div>` still says `<div>`), never markup.
            #[test]
            fn no_markup_survives(input in html()) {
                let cleaned = without_markup(&input);
                prop_assert!(!cleaned.contains('<'), "{cleaned:?} from {input:?}");
            }

            /// Markup alone leaves no trace in the text.
            #[test]
            fn tags_alone_leave_no_text(
                input in "(<[a-z]{1,6}( [a-z]{1,5}=\"[a-z]{0,5}\")?>|</[a-z]{1,6}>|<br>|<br/>){0,12}"
            ) {
                let text = html_to_text(&input);
                prop_assert!(text.trim().is_empty(), "{text:?} from {input:?}");
            }

            /// Text written back as HTML reads back as the same text: reading is idempotent.
            #[test]
            fn text_reads_back_the_same(input in html()) {
                let text = html_to_text(&input);
                prop_assert_eq!(html_to_text(&escape(&text)), text.clone(), "from {:?}", input);
            }

            /// Comparing is stable and ignores only what servers change.
            #[test]
            fn comparable_text_is_idempotent(text in any::<String>()) {
                let once = comparable(&text);
                prop_assert_eq!(comparable(&once), once);
            }
        }
    }
}
