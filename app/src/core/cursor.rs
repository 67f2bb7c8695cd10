//! Keyset-pagination cursors: opaque strings clients pass back to get the next page.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::AppError;

fn bad_cursor() -> AppError {
    AppError::BadRequest {
        message: "The page cursor is not valid.".into(),
    }
}

/// `"<micros>_<uuid>"`: a cursor over (time, id). Times must have whole microseconds (see
/// [`super::time::now`]) to compare equal after the trip.
pub fn encode_time(at: DateTime<Utc>, id: Uuid) -> String {
    format!("{}_{id}", at.timestamp_micros())
}

/// Reads [`encode_time`]'s output; `BadRequest` for anything else.
pub fn decode_time(cursor: &str) -> Result<(DateTime<Utc>, Uuid), AppError> {
    let (micros, id) = cursor.split_once('_').ok_or_else(bad_cursor)?;
    let at = DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad_cursor())?)
        .ok_or_else(bad_cursor)?;
    Ok((at, Uuid::parse_str(id).map_err(|_| bad_cursor())?))
}

/// `"<score>~<uuid>"`: a cursor over (score, id). `f64`'s `Display` round-trips exactly, so
/// equal scores compare equal after the trip.
pub fn encode_score(score: f64, id: Uuid) -> String {
    format!("{score}~{id}")
}

/// Reads [`encode_score`]'s output; `BadRequest` for anything else (including NaN, ±inf).
pub fn decode_score(cursor: &str) -> Result<(f64, Uuid), AppError> {
    let (score, id) = cursor.split_once('~').ok_or_else(bad_cursor)?;
    let score: f64 = score.parse().map_err(|_| bad_cursor())?;
    if !score.is_finite() {
        return Err(bad_cursor());
    }
    Ok((score, Uuid::parse_str(id).map_err(|_| bad_cursor())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_exactly() {
        let id = Uuid::now_v7();
        for score in [-std::f64::consts::PI, 0.1 + 0.2, 1e-300, 12990.0] {
            assert_eq!(decode_score(&encode_score(score, id)).unwrap(), (score, id));
        }
        let at = crate::core::time::now();
        assert_eq!(decode_time(&encode_time(at, id)).unwrap(), (at, id));
    }

    #[test]
    fn garbage_cursors_are_bad_requests() {
        for bad in [
            "garbage",
            "NaN~x",
            "inf~00000000-0000-0000-0000-000000000000",
            "12_nope",
        ] {
            assert!(
                decode_score(bad).is_err() && decode_time(bad).is_err(),
                "{bad}"
            );
        }
    }
}
