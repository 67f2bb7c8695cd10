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
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;

/// [`process`] on a blocking thread (decoding a large image takes milliseconds of CPU).
pub async fn process_upload(
    bytes: Vec<u8>,
    spec: ImageSpec,
) -> Result<ProcessedImage, ImageProblem> {
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

    #[test]
    fn a_polyglot_keeps_only_its_pixels() {
        let mut polyglot = png(16, 16);
        polyglot.extend_from_slice(b"<script>alert(document.cookie)</script>");
        let out = process(&polyglot, LOGO).unwrap();
        assert!(!out.bytes.windows(7).any(|w| w == b"<script"));
    }
}
