//! What every chart shares: the palette, the text styles, the CJK font, and the SVG backend
//! that measures text without one.
//!
//! plotters lays out axes by measuring text through the font registered for the family. An
//! SVG does not need the font (the viewer renders the `<text>`), so SVGs are measured by
//! [`Measured`] from character widths alone: the SVG is the same on every machine, and is
//! drawn even where no CJK font is installed. PNGs rasterise the text, so they need a font
//! file: [`cjk_font`] finds one once and registers it with plotters' ab_glyph renderer.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};

/// The family every chart's text is set in. An SVG viewer reads it as a CSS font list; the
/// PNG renderer knows it as the name the found CJK font is registered under.
pub const FONT_FAMILY: &str =
    "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif";

/// The environment variable naming a CJK font file (ttf, otf or ttc) for PNG charts.
pub const FONT_ENV: &str = "WENZHENG_CJK_FONT";

pub const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);
pub const MUTED: RGBColor = RGBColor(0x88, 0x88, 0x88);
pub const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);
/// Volumes (posts) and good results.
pub const BLUE: RGBColor = RGBColor(0x2f, 0x6d, 0xb5);
/// On-time rates.
pub const GREEN: RGBColor = RGBColor(0x2e, 0x9e, 0x6b);
/// Evasive replies, the worst ranks, deadlines.
pub const RED: RGBColor = RGBColor(0xd0, 0x4a, 0x3f);
/// Vague replies.
pub const ORANGE: RGBColor = RGBColor(0xf0, 0x9a, 0x2a);
/// Units too small to rank.
pub const GREY: RGBColor = RGBColor(0xb8, 0xb8, 0xb8);

pub fn title_style() -> TextStyle<'static> {
    (FONT_FAMILY, 26).into_font().style(FontStyle::Bold).color(&INK)
}

pub fn label_style() -> TextStyle<'static> {
    (FONT_FAMILY, 17).into_font().color(&INK)
}

pub fn small_style() -> TextStyle<'static> {
    (FONT_FAMILY, 15).into_font().color(&MUTED)
}

pub fn right_aligned<'a>(style: TextStyle<'a>) -> TextStyle<'a> {
    style.pos(Pos::new(HPos::Right, VPos::Center))
}

pub fn left_aligned<'a>(style: TextStyle<'a>) -> TextStyle<'a> {
    style.pos(Pos::new(HPos::Left, VPos::Center))
}

/// How wide a text is, in ems: Chinese characters and full-width forms one em, Latin
/// letters and digits about half.
pub fn text_ems(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            ' ' => 0.3,
            'i' | 'l' | 'j' | 't' | 'f' | '.' | ',' | ':' | '·' | '|' | '\'' => 0.3,
            'm' | 'w' | 'M' | 'W' | '%' => 0.85,
            c if c.is_ascii() => 0.58,
            _ => 1.0,
        })
        .sum()
}

/// Cuts a label to at most `max_ems` wide, ending in "…" when cut.
pub fn truncate(text: &str, max_ems: f64) -> String {
    if text_ems(text) <= max_ems {
        return text.to_string();
    }
    let mut out = String::new();
    let mut width = 1.0; // the ellipsis
    for c in text.chars() {
        width += text_ems(c.encode_utf8(&mut [0; 4]));
        if width > max_ems {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// A drawing backend that measures text by [`text_ems`] instead of the font's outlines.
pub struct Measured<B>(pub B);

impl<B: DrawingBackend> DrawingBackend for Measured<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_text(text, style, pos)
    }
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<B::ErrorType>> {
        // plotters sets text at size / 1.24 pixels per em (see plotters-svg's font-size).
        let em = style.size() / 1.24;
        Ok(((text_ems(text) * em).ceil() as u32, em.ceil() as u32))
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (w, h): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.blit_bitmap(pos, (w, h), src)
    }
}

/// The CJK font registered for PNG charts, found once per process: the file named by
/// `WENZHENG_CJK_FONT`, else the first of the usual system fonts (WenQuanYi, Noto CJK,
/// Source Han, Droid Sans Fallback). `None` when there is none: charts are then SVG only.
pub fn cjk_font() -> Option<&'static Path> {
    static FONT: OnceLock<Option<PathBuf>> = OnceLock::new();
    FONT.get_or_init(|| {
        let candidates = std::env::var_os(FONT_ENV).map(PathBuf::from).into_iter().chain(system_cjk_fonts());
        for path in candidates {
            let Ok(bytes) = std::fs::read(&path) else { continue };
            // plotters keeps fonts for the life of the process; this runs once.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            let normal = plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, bytes);
            let bold = plotters::style::register_font(FONT_FAMILY, FontStyle::Bold, bytes);
            if normal.is_ok() && bold.is_ok() {
                tracing::debug!(font = %path.display(), "CJK font for PNG charts");
                return Some(path);
            }
            tracing::warn!(font = %path.display(), "not a usable font file, skipped");
        }
        None
    })
    .as_deref()
}

/// The CJK fonts under the usual font folders, best first.
fn system_cjk_fonts() -> Vec<PathBuf> {
    let mut roots = vec![PathBuf::from("/usr/share/fonts"), PathBuf::from("/usr/local/share/fonts")];
    if let Some(home) = std::env::var_os("HOME") {
        roots.push(Path::new(&home).join(".local/share/fonts"));
        roots.push(Path::new(&home).join(".fonts"));
    }
    let mut found: Vec<(usize, PathBuf)> = Vec::new();
    let mut stack = roots;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Some(preference) = font_preference(&path) {
                found.push((preference, path));
            }
        }
    }
    found.sort();
    found.into_iter().map(|(_, path)| path).collect()
}

/// Lower is better; `None` for a file that is not a known CJK font.
fn font_preference(path: &Path) -> Option<usize> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    if !(name.ends_with(".ttf") || name.ends_with(".ttc") || name.ends_with(".otf")) {
        return None;
    }
    let bold = name.contains("bold") || name.contains("black") || name.contains("light") || name.contains("thin");
    let rank = if name.contains("wqy-microhei") || name.contains("wqy_microhei") {
        0
    } else if name.contains("noto") && name.contains("cjk") && name.contains("sans") {
        1
    } else if name.contains("sourcehansans") {
        2
    } else if name.contains("wqy") {
        3
    } else if name.contains("noto") && name.contains("cjk") || name.contains("sourcehan") {
        4
    } else if name.contains("droidsansfallback") {
        5
    } else {
        return None;
    };
    Some(rank * 2 + usize::from(bold))
}
