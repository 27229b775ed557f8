//! Tagged, accessible (PDF/UA-1) Italian documents — appointment receipts, SAP,
//! libretto, documents to sign — from a small document model, in pure Rust so it runs
//! inside a component.
//!
//! A [`Document`] is a title and a list of [`Block`]s; [`render`] lays them out on A4
//! pages (lines wrapped by measured glyph advances, page breaks where a page is full, a
//! table's header repeated on the pages it continues on) and writes a PDF with
//! [krilla](https://docs.rs/krilla) under its PDF/UA-1 validator, so a document that
//! would not conform is an error, not a file:
//!
//! - every line of text is tagged (H1–H3, P, Table/THead/TBody/TR/TH/TD, L/LI/Lbl/LBody);
//!   running header, page numbers, rules and repeated table headers are artifacts;
//! - the document has its language, its title (shown in the viewer's title bar,
//!   `DisplayDocTitle`), its author and an outline built from the headings;
//! - the text is set in Liberation Sans 2 (SIL Open Font License 1.1, `fonts/`),
//!   embedded and subsetted; a character the font lacks is drawn as `?`.
//!
//! Text users read is the caller's: this crate writes only "Pagina n di m".

mod font;
mod layout;
mod wrap;

use std::fmt;

use krilla::SerializeSettings;
use krilla::color::rgb;
use krilla::configure::{Accessibility, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::tagging::{Artifact, ArtifactType, ContentTag, Identifier, SpanTag, TagGroup, TagTree};
use krilla::text::TextDirection;

use layout::{Layout, Node, Op, PAGE_H, PAGE_W, Role};

/// A document to render.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Shown in the viewer's title bar; required (PDF/UA).
    pub title: String,
    /// The document's description in its metadata.
    pub subject: Option<String>,
    /// Who issues it, e.g. "Regione Toscana — Toscana Lavoro"; also the running header
    /// of each page.
    pub author: String,
    /// The natural language of the text (BCP 47), e.g. "it-IT".
    pub lang: &'static str,
    pub blocks: Vec<Block>,
    /// Creation time, seconds since the Unix epoch (written as UTC).
    pub created_unix: i64,
}

/// A piece of a document's content, in reading order. Newlines in text are line breaks.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A heading of level 1 to 3 (other levels are clamped); it is also an outline entry.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(String),
    /// Label: value pairs, as a two-column table whose labels are row header cells.
    Fields(Vec<(String, String)>),
    /// A table; `header` (column header cells) should be given, as PDF/UA expects; rows
    /// shorter than the widest one get empty cells.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A bulleted list.
    List(Vec<String>),
}

/// Why a document could not be rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The document has no title (PDF/UA requires one).
    NoTitle,
    /// The document has no language.
    NoLanguage,
    /// krilla could not write the PDF or found it not PDF/UA-1 conforming.
    Pdf(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoTitle => write!(f, "the document has no title"),
            Error::NoLanguage => write!(f, "the document has no language"),
            Error::Pdf(e) => write!(f, "PDF export: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// Renders `doc` as a tagged PDF/UA-1 document on A4 pages.
pub fn render(doc: &Document) -> Result<Vec<u8>, Error> {
    if doc.title.trim().is_empty() {
        return Err(Error::NoTitle);
    }
    if doc.lang.trim().is_empty() {
        return Err(Error::NoLanguage);
    }
    let layout = layout::layout(doc);

    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| Error::Pdf(format!("{e:?}")))?;
    let settings = SerializeSettings { configuration, enable_tagging: true, ..SerializeSettings::default() };
    let mut pdf = krilla::Document::new_with(settings);

    let ids = draw(&mut pdf, &layout);
    let mut tree = TagTree::new().with_lang(Some(doc.lang.to_owned()));
    for node in layout.tree {
        tree.push(tag_node(node, &ids));
    }
    pdf.set_tag_tree(tree);
    pdf.set_outline(outline(&layout.marks, &doc.title));

    let mut metadata = Metadata::new()
        .title(doc.title.clone())
        .authors(vec![doc.author.clone()])
        .language(doc.lang.to_owned())
        .creator("Toscana Lavoro".to_owned())
        .creation_date(date_time(doc.created_unix));
    if let Some(subject) = &doc.subject {
        metadata = metadata.description(subject.clone());
    }
    pdf.set_metadata(metadata);
    pdf.finish().map_err(|e| Error::Pdf(e.to_string()))
}

/// Draws the laid-out pages; returns the content identifier of each leaf.
fn draw(pdf: &mut krilla::Document, layout: &Layout) -> Vec<Option<Identifier>> {
    let mut ids = vec![None; layout.leaves];
    for ops in &layout.pages {
        let mut page = pdf.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4"));
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, baseline, size, bold, small, text, role } => {
                    let tag = match role {
                        Role::Leaf(_) => ContentTag::Span(SpanTag::empty()),
                        Role::Artifact(kind) => ContentTag::Artifact(Artifact::with_kind(*kind)),
                    };
                    let id = surface.start_tagged(tag);
                    let grey = if *small { layout::SMALL_GREY } else { layout::TEXT_GREY };
                    surface.set_fill(Some(Fill { paint: rgb::Color::new(grey, grey, grey).into(), ..Fill::default() }));
                    let face = if *bold { &font::BOLD } else { &font::REGULAR };
                    surface.draw_text(
                        Point::from_xy(*x, *baseline),
                        face.pdf.clone(),
                        *size,
                        text,
                        false,
                        TextDirection::LeftToRight,
                    );
                    surface.end_tagged();
                    if let Role::Leaf(n) = role {
                        ids[*n] = Some(id);
                    }
                }
                Op::Rule { x0, x1, y, width, grey } => {
                    let mut path = PathBuilder::new();
                    path.move_to(*x0, *y);
                    path.line_to(*x1, *y);
                    let Some(path) = path.finish() else { continue };
                    surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::Layout)));
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(*grey, *grey, *grey).into(),
                        width: *width,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                    surface.end_tagged();
                }
            }
        }
        surface.finish();
        page.finish();
    }
    ids
}

fn tag_node(node: Node, ids: &[Option<Identifier>]) -> krilla::tagging::Node {
    match node {
        Node::Group(kind, children) => {
            TagGroup::with_children(kind, children.into_iter().map(|c| tag_node(c, ids)).collect()).into()
        }
        Node::Leaf(n) => ids[n].expect("every leaf is drawn").into(),
    }
}

/// The outline (PDF/UA requires one): the headings, nested by level; the title when
/// there are none.
fn outline(marks: &[layout::Mark], title: &str) -> Outline {
    fn children(marks: &[layout::Mark], i: &mut usize, parent_level: u8) -> Vec<OutlineNode> {
        let mut nodes = Vec::new();
        while let Some(m) = marks.get(*i).filter(|m| m.level > parent_level) {
            *i += 1;
            let mut node = OutlineNode::new(m.title.clone(), XyzDestination::new(m.page, Point::from_xy(0.0, m.y)));
            for child in children(marks, i, m.level) {
                node.push_child(child);
            }
            nodes.push(node);
        }
        nodes
    }
    let mut outline = Outline::new();
    let mut i = 0;
    let nodes = children(marks, &mut i, 0);
    if nodes.is_empty() {
        outline.push_child(OutlineNode::new(title.to_owned(), XyzDestination::new(0, Point::from_xy(0.0, 0.0))));
    }
    for node in nodes {
        outline.push_child(node);
    }
    outline
}

fn date_time(unix: i64) -> DateTime {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    DateTime::new(t.year().clamp(0, 9999) as u16)
        .month(t.month() as u8)
        .day(t.day())
        .hour(t.hour())
        .minute(t.minute())
        .second(t.second())
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

#[cfg(test)]
mod tests;
