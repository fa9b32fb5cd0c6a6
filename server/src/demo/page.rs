//! The demo CRM's HTML page: a static template (`page.html`) with the loader's
//! attributes filled in on every request, HTML-escaped. Kept apart from the
//! handlers so the rendering — in particular that nothing a caller passes can
//! break out of an attribute — is tested without a server.

/// The page template; `{{NAME}}` marks a value filled in by [`render`].
const TEMPLATE: &str = include_str!("page.html");

/// Light or dark: the CRM's own look and the widget's `data-theme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    /// `?theme=dark` picks dark; anything else, or nothing, light.
    pub fn from_query(query: Option<&str>) -> Theme {
        let dark = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .any(|(k, v)| k == "theme" && v == "dark");
        if dark {
            Theme::Dark
        } else {
            Theme::Light
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// What the page's loader tag carries.
#[derive(Debug, Clone)]
pub struct PageValues<'a> {
    /// Quarry's base URL, without a trailing slash.
    pub quarry_url: &'a str,
    pub public_key: &'a str,
    /// Shown in the CRM's header.
    pub customer_name: &'a str,
    /// Minted for this page load by the CRM's backend (used once).
    pub session_secret: &'a str,
    pub theme: Theme,
}

/// Escapes text for an HTML attribute value or element content.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page with `values` filled in. One pass over the template, so a value that
/// happens to contain `{{…}}` is never expanded.
pub fn render(values: &PageValues<'_>) -> String {
    let lookup = |name: &str| -> Option<String> {
        Some(match name {
            "QUARRY_URL" => escape(values.quarry_url),
            "PUBLIC_KEY" => escape(values.public_key),
            "CUSTOMER_NAME" => escape(values.customer_name),
            "SESSION_SECRET" => escape(values.session_secret),
            "THEME" => values.theme.as_str().to_owned(),
            _ => return None,
        })
    };
    let mut out = String::with_capacity(TEMPLATE.len() + 512);
    let mut rest = TEMPLATE;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after
            .find("}}")
            .and_then(|end| Some((end, lookup(&after[..end])?)))
        {
            Some((end, value)) => {
                out.push_str(&value);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(quarry_url: &str, theme: Theme) -> PageValues<'_> {
        PageValues {
            quarry_url,
            public_key: "qpk_live_abc",
            customer_name: "Demo customer",
            session_secret: "qss_live_abc",
            theme,
        }
    }

    #[test]
    fn the_loader_tag_carries_every_attribute() {
        let html = render(&values("http://127.0.0.1:8080", Theme::Light));
        for wanted in [
            r#"<script src="http://127.0.0.1:8080/embed.js" async"#,
            r#"data-partner-key="qpk_live_abc""#,
            r#"data-session-secret="qss_live_abc""#,
            r#"data-session-secret-url="/quarry/session-secret""#,
            r#"data-theme="light""#,
            r##"data-accent="#0f766e""##,
            r##"data-target="#quarry-prospecting"></script>"##,
            r#"<div id="quarry-prospecting"></div>"#,
            r#"data-testid="crm-contacts""#,
            r#"data-testid="crm-contact-count""#,
            "Push contacts from the prospecting panel and they appear here.",
            r#"<script src="/demo.js" defer></script>"#,
            r#"href="/demo.css""#,
        ] {
            assert!(html.contains(wanted), "missing {wanted}");
        }
        assert!(!html.contains("{{"), "a placeholder is left");
        // No inline scripts: every <script> loads a file.
        assert_eq!(
            html.matches("<script").count(),
            html.matches("<script src=").count()
        );
        // Nor inline event handlers (` onclick=`, ` onload=`, …).
        let handler = html.split(" on").skip(1).find(|rest| {
            let name: String = rest.chars().take_while(char::is_ascii_lowercase).collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        });
        assert_eq!(handler.map(|h| &h[..20.min(h.len())]), None);
    }

    #[test]
    fn dark_theme_reaches_the_page_and_the_widget() {
        let html = render(&values("http://q", Theme::Dark));
        assert!(html.contains(r#"data-theme="dark""#));
        assert!(!html.contains(r#"data-theme="light""#));
        assert_eq!(Theme::from_query(Some("theme=dark")), Theme::Dark);
        assert_eq!(Theme::from_query(Some("x=1&theme=dark")), Theme::Dark);
        assert_eq!(Theme::from_query(Some("theme=DARK")), Theme::Light);
        assert_eq!(Theme::from_query(Some("theme=blue")), Theme::Light);
        assert_eq!(Theme::from_query(None), Theme::Light);
    }

    #[test]
    fn values_cannot_break_out_of_their_attribute() {
        let html = render(&values(
            r#"http://q/"><script>alert(1)</script>{{PUBLIC_KEY}}"#,
            Theme::Light,
        ));
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        // Placeholders inside values are not expanded.
        assert!(html.contains("{{PUBLIC_KEY}}/embed.js"));
        assert_eq!(escape(r#"a&b<c>"d'"#), "a&amp;b&lt;c&gt;&quot;d&#39;");
    }
}
