//! The art of LOLWUT (`lolwut.c`, `lolwut5.c`, `lolwut6.c` of Redis 7.0.15): a canvas of
//! pixels, Schotter drawn with lines and rendered in braille, and the skyline rendered
//! with terminal colours. The arithmetic keeps C's types (`float` is `f32`, `double` is
//! `f64`, conversions to `int` truncate) so that the geometry is Redis's; only the random
//! numbers differ (the host's instead of `rand()`).

use super::lolwut::{rand, rand_below, RAND_MAX};
use super::Ctx;
use std::f64::consts::PI;

/// A `width` × `height` grid of colours; drawing outside it does nothing.
struct Canvas {
    width: i32,
    height: i32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: i32, height: i32, background: u8) -> Canvas {
        let size = width.max(0) as usize * height.max(0) as usize;
        Canvas {
            width,
            height,
            pixels: vec![background; size],
        }
    }

    fn inside(&self, x: i32, y: i32) -> bool {
        (0..self.width).contains(&x) && (0..self.height).contains(&y)
    }

    fn set(&mut self, x: i32, y: i32, color: u8) {
        if self.inside(x, y) {
            self.pixels[(x + y * self.width) as usize] = color;
        }
    }

    fn get(&self, x: i32, y: i32) -> u8 {
        if self.inside(x, y) {
            self.pixels[(x + y * self.width) as usize]
        } else {
            0
        }
    }

    /// Bresenham's line from (x1, y1) to (x2, y2), both ends included.
    fn line(&mut self, mut x1: i32, mut y1: i32, x2: i32, y2: i32, color: u8) {
        let dx = (x2 - x1).abs();
        let dy = (y2 - y1).abs();
        let sx = if x1 < x2 { 1 } else { -1 };
        let sy = if y1 < y2 { 1 } else { -1 };
        let mut err = dx - dy;
        loop {
            self.set(x1, y1, color);
            if x1 == x2 && y1 == y2 {
                break;
            }
            let e2 = err * 2;
            if e2 > -dy {
                err -= dy;
                x1 += sx;
            }
            if e2 < dx {
                err += dx;
                y1 += sy;
            }
        }
    }

    /// A square of side `size` centred on (x, y), turned by `angle` radians: its corners
    /// lie on a circle, a quarter turn apart, starting at 45 degrees plus the angle.
    fn square(&mut self, x: i32, y: i32, size: f32, angle: f32, color: u8) {
        // C: `size /= 1.4142135623; size = round(size);` in double, stored in a float.
        // Redis's truncated constant, not SQRT_2: a side on a rounding edge rounds as there.
        #[allow(clippy::approx_constant)]
        let size = (size as f64 / 1.4142135623) as f32;
        let size = (size as f64).round() as f32;
        let mut k = (PI / 4.0 + angle as f64) as f32;
        let mut corners = [(0i32, 0i32); 4];
        for corner in &mut corners {
            let px = ((k as f64).sin() * size as f64 + x as f64).round() as i32;
            let py = ((k as f64).cos() * size as f64 + y as f64).round() as i32;
            *corner = (px, py);
            k = (k as f64 + PI / 2.0) as f32;
        }
        for j in 0..4 {
            let (a, b) = (corners[j], corners[(j + 1) % 4]);
            self.line(a.0, a.1, b.0, b.1, color);
        }
    }
}

/// `(float)rand() / (float)RAND_MAX / per_col * y`, then its sign flipped on a coin toss
/// (Redis draws the three magnitudes first, then the three signs).
fn schotter_offsets(ctx: &mut Ctx<'_>, per_col: i32, y: i32) -> [f32; 3] {
    let mut r = [0f32; 3];
    for value in &mut r {
        *value = rand(ctx) as f32 / RAND_MAX as f32 / per_col as f32 * y as f32;
    }
    for value in &mut r {
        if rand_below(ctx, 2) == 1 {
            *value = -*value;
        }
    }
    r
}

/// Schotter on a canvas `cols * 2` pixels wide: `per_row` × `per_col` squares, more and
/// more turned and moved from the third row down. Rendered in braille, `cols` characters
/// a line.
pub(super) fn schotter(ctx: &mut Ctx<'_>, cols: i32, per_row: i32, per_col: i32) -> Vec<u8> {
    let width = cols * 2;
    let padding = if width > 4 { 2 } else { 0 };
    let side = (width - padding * 2) as f32 / per_row as f32;
    let height = (side * per_col as f32 + (padding * 2) as f32) as i32;
    let mut canvas = Canvas::new(width, height, 0);
    for y in 0..per_col {
        for x in 0..per_row {
            let mut sx = (x as f32 * side + side / 2.0 + padding as f32) as i32;
            let mut sy = (y as f32 * side + side / 2.0 + padding as f32) as i32;
            let mut angle = 0f32;
            if y > 1 {
                let [r1, r2, r3] = schotter_offsets(ctx, per_col, y);
                angle = r1;
                sx = (sx as f32 + r2 * side / 3.0) as i32;
                sy = (sy as f32 + r3 * side / 3.0) as i32;
            }
            canvas.square(sx, sy, side, angle, 1);
        }
    }
    braille(&canvas)
}

/// Each 2 × 4 block of pixels as one braille character (U+2800 plus a bit per dot:
/// 0 3 / 1 4 / 2 5 / 6 7 from the top left), a line per four pixel rows. As Redis, a
/// newline follows every line but one starting at the canvas's last row.
fn braille(canvas: &Canvas) -> Vec<u8> {
    const DOTS: [(i32, i32); 8] = [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 0),
        (1, 1),
        (1, 2),
        (0, 3),
        (1, 3),
    ];
    let mut text = Vec::new();
    for y in (0..canvas.height).step_by(4) {
        for x in (0..canvas.width).step_by(2) {
            let bits = DOTS
                .iter()
                .enumerate()
                .fold(0u32, |bits, (bit, &(dx, dy))| {
                    bits | (u32::from(canvas.get(x + dx, y + dy) != 0) << bit)
                });
            let glyph = char::from_u32(0x2800 + bits).unwrap_or('\u{2800}');
            let mut utf8 = [0u8; 4];
            text.extend_from_slice(glyph.encode_utf8(&mut utf8).as_bytes());
        }
        if y != canvas.height - 1 {
            text.push(b'\n');
        }
    }
    text
}

/// One building of the skyline: its left edge, size, colour and whether it has windows.
struct Building {
    xoff: i32,
    width: i32,
    height: i32,
    windows: bool,
    color: u8,
}

/// Draws `b` standing on the canvas's bottom row; its roof is two pixels narrower on each
/// side. Windows are two pixels wide and one tall, on every other row and pair of columns
/// inside the walls, each a random grey other than the wall's.
fn building(ctx: &mut Ctx<'_>, canvas: &mut Canvas, b: &Building) {
    let start_y = canvas.height - 1;
    let end_y = start_y - b.height + 1;
    for y in (end_y..=start_y).rev() {
        for x in b.xoff..b.xoff + b.width {
            if y == end_y && (x <= b.xoff + 1 || x >= b.xoff + b.width - 2) {
                continue;
            }
            let mut color = b.color;
            if b.windows
                && x > b.xoff + 1
                && x < b.xoff + b.width - 2
                && y > end_y + 1
                && y < start_y - 1
            {
                let relx = x - (b.xoff + 1);
                let rely = y - (end_y + 1);
                if (relx / 2) % 2 != 0 && rely % 2 != 0 {
                    loop {
                        color = 1 + rand_below(ctx, 2) as u8;
                        if color != b.color {
                            break;
                        }
                    }
                    // Both pixels of a window share the colour of its left one.
                    if relx % 2 != 0 {
                        color = canvas.get(x - 1, y);
                    }
                }
            }
            canvas.set(x, y, color);
        }
    }
}

/// The skyline on a `cols` × `rows` white canvas: two rows of window-less grey
/// buildings (the lighter behind), then black buildings with windows in front. Each
/// pixel is one space with an ANSI foreground and background colour.
pub(super) fn skyline(ctx: &mut Ctx<'_>, cols: i32, rows: i32) -> Vec<u8> {
    let mut canvas = Canvas::new(cols, rows, 3);
    let h = canvas.height;
    for color in [2u8, 1] {
        let mut offset = -10;
        while offset < canvas.width {
            offset += rand_below(ctx, 8) as i32;
            let width = 10 + rand_below(ctx, 9) as i32;
            // C's `h/2 + rand()%h/2` is `h/2 + (rand()%h)/2`.
            let height = if color == 2 {
                h / 2 + rand_below(ctx, h.into()) as i32 / 2
            } else {
                h / 2 + rand_below(ctx, h.into()) as i32 / 3
            };
            let b = Building {
                xoff: offset,
                width,
                height,
                windows: false,
                color,
            };
            building(ctx, &mut canvas, &b);
            offset += if color == 2 { width / 2 } else { width + 1 };
        }
    }
    let mut offset = -10;
    while offset < canvas.width {
        offset += rand_below(ctx, 8) as i32;
        let mut width = 5 + rand_below(ctx, 14) as i32;
        if width % 4 != 0 {
            width += width % 3;
        }
        let height = h / 3 + rand_below(ctx, h.into()) as i32 / 2;
        let b = Building {
            xoff: offset,
            width,
            height,
            windows: true,
            color: 0,
        };
        building(ctx, &mut canvas, &b);
        offset += width + 5;
    }
    colours(&canvas)
}

/// Each pixel as `ESC[<colour>m ESC[0m` (black, two greys, white), a line per row, no
/// newline after the last.
fn colours(canvas: &Canvas) -> Vec<u8> {
    let mut text = Vec::new();
    for y in 0..canvas.height {
        for x in 0..canvas.width {
            let escape: &[u8] = match canvas.get(x, y) {
                1 => b"0;90;100m",
                2 => b"0;37;47m",
                3 => b"0;97;107m",
                _ => b"0;30;40m",
            };
            text.extend_from_slice(b"\x1b[");
            text.extend_from_slice(escape);
            text.extend_from_slice(b" \x1b[0m");
        }
        if y != canvas.height - 1 {
            text.push(b'\n');
        }
    }
    text
}
