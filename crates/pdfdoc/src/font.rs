//! The embedded faces (Liberation Sans 2, SIL OFL 1.1) and the text measures line
//! wrapping needs.

use std::sync::LazyLock;

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// Characters below this code point have their advance in a table; the rest are looked
/// up in the font's cmap when met.
const TABLE_LEN: usize = 0x2200;

/// Drawn in place of a character the font lacks: PDF/UA forbids the `.notdef` glyph.
pub(crate) const MISSING: char = '?';

pub(crate) struct Face {
    /// The face for krilla (parsed once, embedded subsetted in each document).
    pub(crate) pdf: krilla::text::Font,
    font: FontRef<'static>,
    /// Advance widths in em (1.0 = the font size); NaN where the font has no glyph.
    advances: Vec<f32>,
    /// Ascender height in em.
    pub(crate) ascent: f32,
    upem: f32,
}

pub(crate) static REGULAR: LazyLock<Face> = LazyLock::new(|| Face::load(REGULAR_TTF));
pub(crate) static BOLD: LazyLock<Face> = LazyLock::new(|| Face::load(BOLD_TTF));

impl Face {
    fn load(data: &'static [u8]) -> Face {
        let font = FontRef::new(data).expect("embedded font parses");
        let pdf = krilla::text::Font::new(data.into(), 0).expect("embedded font loads in krilla");
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        let upem = f32::from(metrics.units_per_em);
        let mut face = Face { pdf, font, advances: Vec::new(), ascent: metrics.ascent / upem, upem };
        face.advances =
            (0..TABLE_LEN as u32).map(|c| char::from_u32(c).and_then(|c| face.lookup(c)).unwrap_or(f32::NAN)).collect();
        face
    }

    fn lookup(&self, c: char) -> Option<f32> {
        let gid = self.font.charmap().map(c)?;
        if gid.to_u32() == 0 {
            return None;
        }
        let adv = self.font.glyph_metrics(Size::unscaled(), LocationRef::default()).advance_width(gid)?;
        Some(adv / self.upem)
    }

    /// The advance of `c` in em, `None` when the font has no glyph for it.
    fn advance(&self, c: char) -> Option<f32> {
        match self.advances.get(c as usize) {
            Some(a) if a.is_nan() => None,
            Some(a) => Some(*a),
            None => self.lookup(c),
        }
    }

    /// Whether the face draws `c`.
    pub(crate) fn has(&self, c: char) -> bool {
        self.advance(c).is_some()
    }

    /// The width of `text` at `size` points (no kerning: a slight over-estimate, which
    /// is the safe side for wrapping).
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c).unwrap_or(0.0)).sum::<f32>() * size
    }
}
