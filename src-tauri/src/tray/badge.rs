//! Draws the owed count onto the tray icon: a red disc with white digits in the lower right
//! corner, and an amber disc with "!" in the upper right when an account needs the person.

use tauri::image::Image;

/// Red for the count, amber for attention; both with white marks, so that the number and the
/// "!" read without colour too.
const COUNT_DISC: [u8; 4] = [0xC6, 0x28, 0x28, 0xFF];
const ATTENTION_DISC: [u8; 4] = [0xF2, 0x9B, 0x0C, 0xFF];
const MARK: [u8; 4] = [0xFF, 0xFF, 0xFF, 0xFF];

/// 3×5 glyphs, one row per byte (bit 2 is the left column).
const DIGITS: [[u8; 5]; 10] = [
    [0b111, 0b101, 0b101, 0b101, 0b111],
    [0b010, 0b110, 0b010, 0b010, 0b111],
    [0b111, 0b001, 0b111, 0b100, 0b111],
    [0b111, 0b001, 0b111, 0b001, 0b111],
    [0b101, 0b101, 0b111, 0b001, 0b001],
    [0b111, 0b100, 0b111, 0b001, 0b111],
    [0b111, 0b100, 0b111, 0b101, 0b111],
    [0b111, 0b001, 0b010, 0b010, 0b010],
    [0b111, 0b101, 0b111, 0b101, 0b111],
    [0b111, 0b101, 0b111, 0b001, 0b111],
];
const PLUS: [u8; 5] = [0b000, 0b010, 0b111, 0b010, 0b000];
const BANG: [u8; 5] = [0b010, 0b010, 0b010, 0b000, 0b010];

struct Canvas {
    rgba: Vec<u8>,
    size: i32,
}

impl Canvas {
    fn put(&mut self, x: i32, y: i32, colour: [u8; 4]) {
        if (0..self.size).contains(&x) && (0..self.size).contains(&y) {
            let at = ((y * self.size + x) * 4) as usize;
            self.rgba[at..at + 4].copy_from_slice(&colour);
        }
    }

    fn disc(&mut self, cx: i32, cy: i32, radius: i32, colour: [u8; 4]) {
        for y in cy - radius..=cy + radius {
            for x in cx - radius..=cx + radius {
                if (x - cx).pow(2) + (y - cy).pow(2) <= radius.pow(2) {
                    self.put(x, y, colour);
                }
            }
        }
    }

    /// Draws glyphs centred on (cx, cy), each pixel a `scale`×`scale` square.
    fn text(&mut self, glyphs: &[[u8; 5]], cx: i32, cy: i32, scale: i32) {
        let width = glyphs.len() as i32 * 4 * scale - scale;
        let (left, top) = (cx - width / 2, cy - 5 * scale / 2);
        for (index, glyph) in glyphs.iter().enumerate() {
            let x0 = left + index as i32 * 4 * scale;
            for (row, bits) in glyph.iter().enumerate() {
                for column in 0..3 {
                    if bits & (0b100 >> column) != 0 {
                        for dy in 0..scale {
                            for dx in 0..scale {
                                self.put(
                                    x0 + column * scale + dx,
                                    top + row as i32 * scale + dy,
                                    MARK,
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The tray icon for `owed` answers; paused notifications use the paused base image.
pub fn draw(owed: u32, attention: bool, paused: bool) -> tauri::Result<Image<'static>> {
    let base = if paused {
        Image::from_bytes(include_bytes!("../../../icons/tray-paused.png"))?
    } else {
        Image::from_bytes(include_bytes!("../../../icons/tray.png"))?
    };
    let size = base.width().min(base.height()) as i32;
    let mut canvas = Canvas {
        rgba: base.rgba().to_vec(),
        size,
    };
    if owed > 0 {
        let glyphs: Vec<[u8; 5]> = if owed > 99 {
            vec![DIGITS[9], DIGITS[9], PLUS]
        } else {
            owed.to_string()
                .bytes()
                .map(|digit| DIGITS[usize::from(digit - b'0')])
                .collect()
        };
        let radius = size * 13 / 64;
        let (cx, cy) = (size - radius - 1, size - radius - 1);
        canvas.disc(cx, cy, radius + 2, [0, 0, 0, 0]);
        canvas.disc(cx, cy, radius, COUNT_DISC);
        let scale = if glyphs.len() == 1 {
            size / 16
        } else {
            size / 24
        };
        canvas.text(&glyphs, cx, cy, scale.max(1));
    }
    if attention {
        let radius = size * 10 / 64;
        let (cx, cy) = (size - radius - 1, radius + 1);
        canvas.disc(cx, cy, radius + 2, [0, 0, 0, 0]);
        canvas.disc(cx, cy, radius, ATTENTION_DISC);
        canvas.text(&[BANG], cx, cy, (size / 22).max(1));
    }
    Ok(Image::new_owned(canvas.rgba, size as u32, size as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixels(image: &Image<'_>, colour: [u8; 4]) -> usize {
        image
            .rgba()
            .chunks_exact(4)
            .filter(|pixel| *pixel == colour)
            .count()
    }

    #[test]
    fn the_count_and_the_attention_mark_are_drawn_only_when_there_is_something_to_say() {
        let plain = draw(0, false, false).expect("icon");
        assert_eq!(pixels(&plain, COUNT_DISC), 0);
        assert_eq!(pixels(&plain, ATTENTION_DISC), 0);

        let three = draw(3, false, false).expect("icon");
        let hundred = draw(100, false, false).expect("icon");
        assert!(pixels(&three, COUNT_DISC) > 300, "a red disc");
        assert!(
            pixels(&three, MARK) > pixels(&plain, MARK),
            "with white digits"
        );
        assert_ne!(three.rgba(), hundred.rgba(), "\"99+\" differs from \"3\"");

        let attention = draw(0, true, false).expect("icon");
        assert!(pixels(&attention, ATTENTION_DISC) > 100);
        assert_eq!(pixels(&attention, COUNT_DISC), 0);
    }
}
