//! Open data beyond the manual: an RSS 2.0 feed of the newest offers (same filters as
//! the search) and the sitemap of offer pages. XML is written with quick-xml.

use std::io::Cursor;
use std::time::{Duration, UNIX_EPOCH};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::OfferSummary;
use crate::page::italian_date;

/// URLs per sitemap file (the protocol allows 50,000).
pub const SITEMAP_PAGE: usize = 40_000;

type Result<T> = std::result::Result<T, quick_xml::Error>;

/// `YYYY-MM-DD` as an RFC 822 date (`Mon, 23 Nov 2026 00:00:00 GMT`).
pub fn rfc822(iso: &str) -> Option<String> {
    let date = time::Date::parse(iso, &time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    let secs = date.midnight().assume_utc().unix_timestamp();
    Some(httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?)))
}

fn document() -> Result<Writer<Cursor<Vec<u8>>>> {
    let mut w = Writer::new(Cursor::new(Vec::new()));
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    Ok(w)
}

fn finish(w: Writer<Cursor<Vec<u8>>>) -> Vec<u8> {
    w.into_inner().into_inner()
}

/// The feed. `query` is the search's query string (kept in the channel links).
pub fn rss(items: &[OfferSummary], base: &str, query: &str, built: &str) -> Result<Vec<u8>> {
    let suffix = if query.is_empty() { String::new() } else { format!("?{query}") };
    let mut w = document()?;
    w.create_element("rss")
        .with_attributes([("version", "2.0"), ("xmlns:atom", "http://www.w3.org/2005/Atom")])
        .write_inner_content(|w| {
            w.create_element("channel").write_inner_content(|w| {
                w.create_element("title").write_text_content(BytesText::new("Toscana Lavoro – Offerte di lavoro"))?;
                w.create_element("link").write_text_content(BytesText::new(&format!("{base}/cittadino/offerte/{suffix}")))?;
                w.create_element("description").write_text_content(BytesText::new(
                    "Le offerte di lavoro più recenti pubblicate dai Centri per l'impiego della Toscana.",
                ))?;
                w.create_element("language").write_text_content(BytesText::new("it-it"))?;
                w.create_element("lastBuildDate").write_text_content(BytesText::new(built))?;
                w.create_element("atom:link")
                    .with_attributes([
                        ("href", format!("{base}/feeds/offers.rss{suffix}").as_str()),
                        ("rel", "self"),
                        ("type", "application/rss+xml"),
                    ])
                    .write_empty()?;
                for o in items {
                    let url = format!("{base}/offerte/{}", o.code);
                    w.create_element("item").write_inner_content(|w| {
                        let title = format!("{} – {} ({})", o.occupation, o.locations.join(", "), o.code);
                        w.create_element("title").write_text_content(BytesText::new(&title))?;
                        w.create_element("link").write_text_content(BytesText::new(&url))?;
                        w.create_element("guid").with_attribute(("isPermaLink", "true")).write_text_content(BytesText::new(&url))?;
                        if let Some(date) = rfc822(&o.published_at) {
                            w.create_element("pubDate").write_text_content(BytesText::new(&date))?;
                        }
                        let text = format!(
                            "{} {} – {}. Centro impiego: {}. Scadenza: {}.",
                            o.description, o.offer_type.name, o.contract_type.name, o.cpi.name, italian_date(&o.deadline)
                        );
                        w.create_element("description").write_text_content(BytesText::new(&text))?;
                        w.create_element("category").write_text_content(BytesText::new(&o.offer_type.name))?;
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(finish(w))
}

/// `/sitemap.xml`: the site's pages file and one file per `SITEMAP_PAGE` offers.
pub fn sitemap_index(base: &str, offer_files: usize) -> Result<Vec<u8>> {
    let mut w = document()?;
    w.create_element("sitemapindex")
        .with_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"))
        .write_inner_content(|w| {
            let files = std::iter::once(format!("{base}/sitemaps/pages.xml"))
                .chain((1..=offer_files).map(|n| format!("{base}/sitemaps/offers-{n}.xml")));
            for loc in files {
                w.create_element("sitemap")
                    .write_inner_content(|w| w.create_element("loc").write_text_content(BytesText::new(&loc)).map(drop))?;
            }
            Ok(())
        })?;
    Ok(finish(w))
}

/// A `<urlset>` of `(url, lastmod)`.
pub fn urlset(urls: &[(String, Option<String>)]) -> Result<Vec<u8>> {
    let mut w = document()?;
    w.create_element("urlset")
        .with_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"))
        .write_inner_content(|w| {
            for (loc, lastmod) in urls {
                w.create_element("url").write_inner_content(|w| {
                    w.create_element("loc").write_text_content(BytesText::new(loc))?;
                    if let Some(d) = lastmod {
                        w.create_element("lastmod").write_text_content(BytesText::new(d))?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(finish(w))
}

/// The public pages listed in the sitemap besides the offers.
pub const PAGES: &[&str] = &[
    "/", "/cittadino/", "/cittadino/offerte/", "/azienda/", "/agenzia/", "/professionista/", "/news/",
    "/accessibilita/", "/privacy/", "/note-legali/",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Named;

    fn offer(code: &str) -> OfferSummary {
        OfferSummary {
            code: code.into(),
            cpi: Named { code: "prato".into(), name: "PRATO".into() },
            offer_type: Named { code: "preselezione".into(), name: "Preselezione".into() },
            contract_type: Named { code: "tirocinio".into(), name: "TIROCINIO".into() },
            occupation: "cuoco <&> \"chef\"".into(),
            description: "Cucina toscana.".into(),
            locations: vec!["Prato".into()],
            published_at: "2026-11-23".into(),
            deadline: "2026-12-31".into(),
        }
    }

    #[test]
    fn rss_escapes_text_and_has_the_required_elements() {
        let xml = String::from_utf8(rss(&[offer("PO-1"), offer("PO-2")], "https://x.test", "q=cuoco&province=100", "Mon, 23 Nov 2026 10:00:00 GMT").unwrap()).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\""));
        assert!(xml.contains("<title>cuoco &lt;&amp;&gt; &quot;chef&quot; – Prato (PO-1)</title>"));
        assert!(xml.contains("<link>https://x.test/offerte/PO-2</link>"));
        assert!(xml.contains("<pubDate>Mon, 23 Nov 2026 00:00:00 GMT</pubDate>"));
        assert!(xml.contains("href=\"https://x.test/feeds/offers.rss?q=cuoco&amp;province=100\""));
        assert!(xml.contains("Scadenza: 31/12/2026."));
        assert_eq!(xml.matches("<item>").count(), 2);
    }

    #[test]
    fn sitemaps() {
        let index = String::from_utf8(sitemap_index("https://x.test", 2).unwrap()).unwrap();
        assert_eq!(index.matches("<sitemap>").count(), 3);
        assert!(index.contains("<loc>https://x.test/sitemaps/offers-2.xml</loc>"));
        let set = String::from_utf8(urlset(&[("https://x.test/a?b&c".into(), Some("2026-11-23".into()))]).unwrap()).unwrap();
        assert!(set.contains("<url><loc>https://x.test/a?b&amp;c</loc><lastmod>2026-11-23</lastmod></url>"));
        assert_eq!(rfc822("2026-11-23").as_deref(), Some("Mon, 23 Nov 2026 00:00:00 GMT"));
        assert_eq!(rfc822("nope"), None);
    }
}
