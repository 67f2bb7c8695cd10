//! Decoding and re-encoding. CPU-bound: callers run [`process`] on a blocking thread.

use std::io::Cursor;

use image::{imageops::FilterType, DynamicImage, ImageFormat, ImageReader, Limits};

use super::ImageProblem;

/// What an upload must be and what Gala turns it into.
#[derive(Debug, Clone, Copy)]
pub struct ImageSpec {
    /// The larger side is scaled down to this many pixels (never up).
    pub max_side: u32,
    /// Images smaller than this on either side are refused (too blurry to show; at most 64,
    /// which [`ImageProblem::TooSmall`]'s message promises).
    pub min_side: u32,
    pub output: OutputFormat,
}

/// The format Gala stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Lossless with transparency: logos.
    Png,
    /// Photos (quality 85).
    Jpeg,
}

impl OutputFormat {
    /// The `Content-Type` it is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            OutputFormat::Png => "image/png",
            OutputFormat::Jpeg => "image/jpeg",
        }
    }
}

/// A re-encoded image, ready to store.
#[derive(Debug, Clone)]
pub struct ProcessedImage {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub content_type: &'static str,
}

/// Largest image dimensions decoded at all: a tiny file can claim to be 60,000 px wide and
/// would otherwise make the decoder allocate gigabytes.
const MAX_DECODED_SIDE: u32 = 8_000;
/// Most pixels decoded at all (a 24-megapixel camera photo), read from the file's header
/// before anything is decoded: 4 bytes each, so one decode stays under 96 MiB.
pub const MAX_DECODED_PIXELS: u64 = 24_000_000;
const MAX_DECODE_ALLOC: u64 = 128 * 1024 * 1024;

/// Decodes at once in this process (one per core, at least two): with the pixel limit, the
/// memory all uploads together can take is bounded.
fn decode_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        tokio::sync::Semaphore::new(
            std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(2)
                .max(2),
        )
    })
}

/// [`process`] on a blocking thread (decoding a large image takes milliseconds of CPU), once
/// a decode slot is free.
pub async fn process_upload(
    bytes: Vec<u8>,
    spec: ImageSpec,
) -> Result<ProcessedImage, ImageProblem> {
    let Ok(_slot) = decode_slots().acquire().await else {
        return Err(ImageProblem::Unreadable);
    };
    tokio::task::spawn_blocking(move || process(&bytes, spec))
        .await
        .unwrap_or(Err(ImageProblem::Unreadable))
}

/// Checks `bytes` against `spec` and re-encodes them.
pub fn process(bytes: &[u8], spec: ImageSpec) -> Result<ProcessedImage, ImageProblem> {
    if bytes.is_empty() {
        return Err(ImageProblem::Missing);
    }
    if bytes.len() > super::MAX_UPLOAD_BYTES {
        return Err(ImageProblem::TooLarge);
    }
    let format = image::guess_format(bytes)
        .ok()
        .filter(|f| matches!(f, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP))
        .ok_or(ImageProblem::WrongType)?;
    // The header's dimensions first: a few bytes can declare 20,000 × 20,000 pixels.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| ImageProblem::Unreadable)?;
    if width > MAX_DECODED_SIDE
        || height > MAX_DECODED_SIDE
        || u64::from(width) * u64::from(height) > MAX_DECODED_PIXELS
    {
        return Err(ImageProblem::TooLarge);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODED_SIDE);
    limits.max_image_height = Some(MAX_DECODED_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|_| ImageProblem::Unreadable)?;
    if decoded.width() < spec.min_side || decoded.height() < spec.min_side {
        return Err(ImageProblem::TooSmall);
    }
    let resized = if decoded.width() > spec.max_side || decoded.height() > spec.max_side {
        decoded.resize(spec.max_side, spec.max_side, FilterType::Lanczos3)
    } else {
        decoded
    };
    encode(resized, spec.output).map_err(|_| ImageProblem::Unreadable)
}

fn encode(image: DynamicImage, output: OutputFormat) -> image::ImageResult<ProcessedImage> {
    let (width, height) = (image.width(), image.height());
    let mut bytes = Vec::new();
    match output {
        OutputFormat::Png => image.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)?,
        OutputFormat::Jpeg => {
            // JPEG has no alpha channel: flatten first.
            let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85);
            rgb.write_with_encoder(encoder)?;
        }
    }
    Ok(ProcessedImage {
        bytes,
        width,
        height,
        content_type: output.content_type(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGO: ImageSpec = ImageSpec {
        max_side: 64,
        min_side: 8,
        output: OutputFormat::Png,
    };

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::new_rgba8(width, height);
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    fn refusal(result: Result<ProcessedImage, ImageProblem>) -> ImageProblem {
        result.expect_err("the image should be refused")
    }

    #[test]
    fn large_images_are_scaled_down_keeping_their_shape() {
        let out = process(&png(200, 100), LOGO).unwrap();
        assert_eq!((out.width, out.height), (64, 32));
        assert_eq!(out.content_type, "image/png");
        assert_eq!(image::guess_format(&out.bytes).unwrap(), ImageFormat::Png);
    }

    #[test]
    fn photos_become_jpeg() {
        let spec = ImageSpec {
            output: OutputFormat::Jpeg,
            ..LOGO
        };
        let out = process(&png(20, 20), spec).unwrap();
        assert_eq!(image::guess_format(&out.bytes).unwrap(), ImageFormat::Jpeg);
    }

    #[test]
    fn other_content_is_refused_whatever_it_is_called() {
        let svg = b"<svg onload=alert(1)></svg>";
        assert_eq!(refusal(process(svg, LOGO)), ImageProblem::WrongType);
        let gif = b"GIF89a\x01\x00\x01\x00";
        assert_eq!(refusal(process(gif, LOGO)), ImageProblem::WrongType);
        assert_eq!(refusal(process(&[], LOGO)), ImageProblem::Missing);
    }

    #[test]
    fn damaged_tiny_and_huge_files_are_refused() {
        let mut truncated = png(100, 100);
        truncated.truncate(60);
        assert_eq!(refusal(process(&truncated, LOGO)), ImageProblem::Unreadable);
        assert_eq!(refusal(process(&png(4, 4), LOGO)), ImageProblem::TooSmall);
        let huge = vec![0u8; super::super::MAX_UPLOAD_BYTES + 1];
        assert_eq!(refusal(process(&huge, LOGO)), ImageProblem::TooLarge);
    }

    /// A PNG of a few dozen bytes whose header declares `width` × `height` pixels.
    fn declaring(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = png(16, 16);
        // The IHDR chunk's width and height follow the 8-byte signature, the chunk's length
        // and its type; its CRC (over type and data) is made right again.
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn an_image_bomb_is_refused_from_its_header() {
        let bomb = declaring(20_000, 20_000);
        assert!(bomb.len() < 200);
        assert_eq!(refusal(process(&bomb, LOGO)), ImageProblem::TooLarge);
        // Under the side limit, over the pixel limit.
        assert_eq!(
            refusal(process(&declaring(7_000, 7_000), LOGO)),
            ImageProblem::TooLarge
        );
    }

    #[test]
    fn a_polyglot_keeps_only_its_pixels() {
        let mut polyglot = png(16, 16);
        polyglot.extend_from_slice(b"<script>alert(document.cookie)</script>");
        let out = process(&polyglot, LOGO).unwrap();
        assert!(!out.bytes.windows(7).any(|w| w == b"<script"));
    }
}
