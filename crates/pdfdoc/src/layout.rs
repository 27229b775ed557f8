//! Lays a [`Document`] out on A4 pages: positioned lines of text and rules, the
//! structure tree that says what each line is, and the outline's entries.
//!
//! Coordinates are PDF points from the page's top-left corner, y growing downwards.

use std::num::NonZeroU16;

use krilla::tagging::{ArtifactType, ListNumbering, TableHeaderScope, Tag, TagKind};

use crate::font::{BOLD, Face, REGULAR};
use crate::wrap::{clean, wrap};
use crate::{Block, Document};

pub(crate) const PAGE_W: f32 = 595.276;
pub(crate) const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 56.69; // 2 cm
const TOP: f32 = 64.0;
const BOTTOM: f32 = PAGE_H - 64.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
/// Body text size and line height.
const BODY: f32 = 10.5;
const LEADING: f32 = 1.4;
/// Space after a block.
const GAP: f32 = 7.0;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;
const LIST_INDENT: f32 = 14.0;
/// Running header and footer (artifacts) size.
const SMALL: f32 = 8.0;
pub(crate) const TEXT_GREY: u8 = 0x22;
pub(crate) const SMALL_GREY: u8 = 0x55;

/// What a piece of content is for assistive technology.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Role {
    /// Real content: the leaf with this number in the structure tree.
    Leaf(usize),
    /// Not part of the logical content (running header, page number, repeated header).
    Artifact(ArtifactType),
}

pub(crate) enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        bold: bool,
        small: bool,
        text: String,
        role: Role,
    },
    /// A horizontal rule (a layout artifact).
    Rule {
        x0: f32,
        x1: f32,
        y: f32,
        width: f32,
        grey: u8,
    },
}

/// A node of the structure tree, leaves numbered until their content is drawn.
pub(crate) enum Node {
    Group(TagKind, Vec<Node>),
    Leaf(usize),
}

/// An outline entry: a heading and where it is.
pub(crate) struct Mark {
    pub(crate) level: u8,
    pub(crate) title: String,
    pub(crate) page: usize,
    pub(crate) y: f32,
}

pub(crate) struct Layout {
    pub(crate) pages: Vec<Vec<Op>>,
    pub(crate) tree: Vec<Node>,
    pub(crate) marks: Vec<Mark>,
    pub(crate) leaves: usize,
    y: f32,
    running_header: String,
}

/// A table's header row, drawn again (as an artifact) at the top of each page the
/// table continues on.
struct Repeat<'a> {
    cells: &'a [String],
    widths: &'a [f32],
}

pub(crate) fn layout(doc: &Document) -> Layout {
    let mut l = Layout {
        pages: Vec::new(),
        tree: Vec::new(),
        marks: Vec::new(),
        leaves: 0,
        y: TOP,
        running_header: clean(&REGULAR, &doc.author).replace('\n', " "),
    };
    l.new_page();
    for block in &doc.blocks {
        let node = match block {
            Block::Heading { level, text } => l.heading(*level, text),
            Block::Paragraph(text) => l.paragraph(text),
            Block::Fields(fields) => l.fields(fields),
            Block::Table { header, rows } => l.table(header, rows),
            Block::List(items) => l.list(items),
        };
        l.tree.extend(node);
        l.y += GAP;
    }
    l.footers();
    l
}

fn face(bold: bool) -> &'static Face {
    if bold { &BOLD } else { &REGULAR }
}

impl Layout {
    fn new_page(&mut self) {
        let mut ops = Vec::new();
        if !self.running_header.is_empty() {
            ops.push(Op::Text {
                x: MARGIN_X,
                baseline: TOP - 24.0,
                size: SMALL,
                bold: false,
                small: true,
                text: self.running_header.clone(),
                role: Role::Artifact(ArtifactType::Header),
            });
        }
        self.pages.push(ops);
        self.y = TOP;
    }

    fn at_top(&self) -> bool {
        self.y <= TOP
    }

    /// Starts a new page unless `height` more points fit on this one (or this one is
    /// still empty). Returns whether it did.
    fn ensure(&mut self, height: f32) -> bool {
        if self.y + height > BOTTOM && !self.at_top() {
            self.new_page();
            true
        } else {
            false
        }
    }

    fn leaf(&mut self) -> usize {
        self.leaves += 1;
        self.leaves - 1
    }

    fn page(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    /// Places one line of text with its top at the current y; real content unless
    /// `artifact`, and then its leaf is returned.
    fn put(&mut self, x: f32, size: f32, bold: bool, text: &str, artifact: Option<ArtifactType>) -> Option<Node> {
        let line_h = size * LEADING;
        let baseline = self.y + (line_h - size) / 2.0 + face(bold).ascent * size;
        let (role, node) = match artifact {
            Some(kind) => (Role::Artifact(kind), None),
            None => {
                let n = self.leaf();
                (Role::Leaf(n), Some(Node::Leaf(n)))
            }
        };
        self.page().push(Op::Text { x, baseline, size, bold, small: false, text: text.to_owned(), role });
        node
    }

    /// Lines of one block, each on this page if it fits or at the top of the next.
    fn lines(&mut self, x: f32, size: f32, bold: bool, lines: &[String]) -> Vec<Node> {
        let mut leaves = Vec::new();
        for line in lines {
            self.ensure(size * LEADING);
            if !line.is_empty() {
                leaves.extend(self.put(x, size, bold, line, None));
            }
            self.y += size * LEADING;
        }
        leaves
    }

    fn heading(&mut self, level: u8, text: &str) -> Option<Node> {
        let level = level.clamp(1, 3);
        let size = match level {
            1 => 17.0,
            2 => 14.0,
            _ => 12.0,
        };
        let text = clean(&BOLD, text);
        let lines = wrap(&BOLD, size, &text, CONTENT_W);
        // a heading stays with the first two lines of what follows it
        let height = lines.len() as f32 * size * LEADING + 2.0 * BODY * LEADING;
        if !self.ensure(height) && !self.at_top() {
            self.y += size * 0.5;
        }
        let title = text.replace('\n', " ");
        let page = self.pages.len() - 1;
        self.marks.push(Mark { level, title: title.clone(), page, y: self.y });
        let leaves = self.lines(MARGIN_X, size, true, &lines);
        let tag = Tag::Hn(NonZeroU16::new(level.into()).expect("1..=3"), Some(title));
        group(tag.into(), leaves)
    }

    fn paragraph(&mut self, text: &str) -> Option<Node> {
        let lines = wrap(&REGULAR, BODY, &clean(&REGULAR, text), CONTENT_W);
        let leaves = self.lines(MARGIN_X, BODY, false, &lines);
        group(Tag::P.into(), leaves)
    }

    fn list(&mut self, items: &[String]) -> Option<Node> {
        let line_h = BODY * LEADING;
        let mut lis = Vec::new();
        for item in items {
            let lines = wrap(&REGULAR, BODY, &clean(&REGULAR, item), CONTENT_W - LIST_INDENT);
            self.ensure(line_h);
            let bullet = self.put(MARGIN_X + 2.0, BODY, false, "•", None);
            let body = self.lines(MARGIN_X + LIST_INDENT, BODY, false, &lines);
            let mut li = Vec::new();
            li.extend(group(Tag::Lbl.into(), bullet.into_iter().collect()));
            li.extend(group(Tag::LBody.into(), body));
            lis.extend(group(Tag::LI.into(), li));
            self.y += 2.0;
        }
        group(Tag::L(ListNumbering::Disc).into(), lis)
    }

    /// Label: value pairs as a two-column table whose label cells are row headers.
    fn fields(&mut self, fields: &[(String, String)]) -> Option<Node> {
        let label_w = fields
            .iter()
            .map(|(label, _)| BOLD.width(&clean(&BOLD, label), BODY) + 2.0 * CELL_PAD_X + 1.0)
            .fold(0.0f32, f32::max)
            .min(CONTENT_W * 0.4);
        let widths = [label_w, CONTENT_W - label_w];
        let mut trs = Vec::new();
        for (label, value) in fields {
            let cells = self.row(&[(label.as_str(), true), (value.as_str(), false)], &widths, None, None);
            let mut cells = cells.into_iter();
            let th = group(Tag::TH(TableHeaderScope::Row).into(), cells.next().unwrap_or_default());
            let td = group(Tag::TD.into(), cells.next().unwrap_or_default());
            trs.extend(group(Tag::TR.into(), th.into_iter().chain(td).collect()));
        }
        group(Tag::Table.into(), trs)
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) -> Option<Node> {
        let cols = rows.iter().map(Vec::len).chain([header.len()]).max().unwrap_or(0);
        if cols == 0 {
            return None;
        }
        // natural (one-line) and minimum (longest word) widths of each column
        let mut natural = vec![0.0f32; cols];
        let mut minimum = vec![0.0f32; cols];
        let all = std::iter::once((header, true)).chain(rows.iter().map(|r| (r.as_slice(), false)));
        for (row, bold) in all {
            for i in 0..cols {
                let f = face(bold);
                let text = clean(f, cell(row, i));
                for hard in text.split('\n') {
                    natural[i] = natural[i].max(f.width(hard, BODY));
                }
                for word in text.split_whitespace() {
                    minimum[i] = minimum[i].max(f.width(word, BODY));
                }
            }
        }
        let pad = 2.0 * CELL_PAD_X + 1.0;
        let natural_sum: f32 = natural.iter().map(|w| w + pad).sum();
        let floor = CONTENT_W / cols as f32;
        let mut widths: Vec<f32> = (0..cols)
            .map(|i| {
                let share = CONTENT_W * (natural[i] + pad) / natural_sum;
                if natural_sum <= CONTENT_W { share } else { share.max((minimum[i] + pad).min(floor)) }
            })
            .collect();
        let total: f32 = widths.iter().sum();
        widths.iter_mut().for_each(|w| *w *= CONTENT_W / total);

        let header: Vec<String> = (0..cols).map(|i| cell(header, i).to_owned()).collect();
        let mut parts = Vec::new();
        if header.iter().any(|h| !h.trim().is_empty()) {
            // the header row stays with the first body row
            let cells: Vec<(&str, bool)> = header.iter().map(|h| (h.as_str(), true)).collect();
            self.ensure(2.0 * (BODY * LEADING + 2.0 * CELL_PAD_Y));
            let ths = self.row(&cells, &widths, None, None);
            self.rule(0.8, 0x44);
            let ths = ths.into_iter().flat_map(|c| group(Tag::TH(TableHeaderScope::Column).into(), c)).collect();
            parts.extend(group(Tag::THead.into(), group(Tag::TR.into(), ths).into_iter().collect()));
        }
        let repeat = (!parts.is_empty()).then_some(Repeat { cells: &header, widths: &widths });
        let mut trs = Vec::new();
        for row in rows {
            let cells: Vec<(&str, bool)> = (0..cols).map(|i| (cell(row, i), false)).collect();
            let tds = self.row(&cells, &widths, None, repeat.as_ref());
            let tds = tds.into_iter().flat_map(|c| group(Tag::TD.into(), c)).collect();
            trs.extend(group(Tag::TR.into(), tds));
        }
        parts.extend(group(Tag::TBody.into(), trs));
        group(Tag::Table.into(), parts)
    }

    /// One table row: each cell's text wrapped in its column; a rule below. The row
    /// moves whole to the next page when it does not fit here but fits on a page;
    /// a taller one breaks between lines. `artifact` draws it as that artifact (a
    /// repeated header). Returns the leaves of each cell (an empty cell gets a space,
    /// so that its TD/TH is not dropped from the table's structure).
    fn row(
        &mut self,
        cells: &[(&str, bool)],
        widths: &[f32],
        artifact: Option<ArtifactType>,
        repeat: Option<&Repeat>,
    ) -> Vec<Vec<Node>> {
        let line_h = BODY * LEADING;
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(widths)
            .map(|((text, bold), w)| {
                let f = face(*bold);
                let mut lines = wrap(f, BODY, &clean(f, text), w - 2.0 * CELL_PAD_X);
                if lines.iter().all(String::is_empty) {
                    lines = vec![" ".to_owned()];
                }
                lines
            })
            .collect();
        let n = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let height = n as f32 * line_h + 2.0 * CELL_PAD_Y;
        if height <= BOTTOM - TOP && self.ensure(height) {
            self.repeat_header(repeat);
        }
        let mut leaves: Vec<Vec<Node>> = cells.iter().map(|_| Vec::new()).collect();
        self.y += CELL_PAD_Y;
        for i in 0..n {
            if self.y + line_h + CELL_PAD_Y > BOTTOM && !self.at_top() {
                self.new_page();
                self.repeat_header(repeat);
                self.y += CELL_PAD_Y;
            }
            let mut x = MARGIN_X;
            for (c, lines) in wrapped.iter().enumerate() {
                if let Some(line) = lines.get(i).filter(|l| !l.is_empty()) {
                    leaves[c].extend(self.put(x + CELL_PAD_X, BODY, cells[c].1, line, artifact));
                }
                x += widths[c];
            }
            self.y += line_h;
        }
        self.y += CELL_PAD_Y;
        if artifact.is_none() {
            self.rule(0.4, 0xaa);
        }
        leaves
    }

    fn repeat_header(&mut self, repeat: Option<&Repeat>) {
        if let Some(r) = repeat {
            let cells: Vec<(&str, bool)> = r.cells.iter().map(|h| (h.as_str(), true)).collect();
            self.row(&cells, r.widths, Some(ArtifactType::PaginationOther), None);
            self.rule(0.8, 0x44);
        }
    }

    fn rule(&mut self, width: f32, grey: u8) {
        let y = self.y;
        self.page().push(Op::Rule { x0: MARGIN_X, x1: PAGE_W - MARGIN_X, y, width, grey });
    }

    /// "Pagina n di m" at the bottom of each page.
    fn footers(&mut self) {
        let total = self.pages.len();
        for (i, ops) in self.pages.iter_mut().enumerate() {
            let text = format!("Pagina {} di {}", i + 1, total);
            let x = PAGE_W - MARGIN_X - REGULAR.width(&text, SMALL);
            ops.push(Op::Text {
                x,
                baseline: BOTTOM + 30.0,
                size: SMALL,
                bold: false,
                small: true,
                text,
                role: Role::Artifact(ArtifactType::Footer),
            });
        }
    }
}

/// Cell `i` of `row`, empty past its end.
fn cell(row: &[String], i: usize) -> &str {
    row.get(i).map(String::as_str).unwrap_or("")
}

/// A group of `children`, or nothing when there are none (krilla drops empty groups).
fn group(tag: TagKind, children: Vec<Node>) -> Option<Node> {
    (!children.is_empty()).then(|| Node::Group(tag, children))
}
