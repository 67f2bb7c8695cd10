//! Transactional mail: every mail has a plain-text and an HTML body, is written to a durable
//! outbox in the request that causes it, and is delivered by a background sender with retries
//! (so a down SMTP server delays mail but never loses it, and no request waits on SMTP).

#[cfg(feature = "ssr")]
mod outbox;
#[cfg(feature = "ssr")]
mod sender;
#[cfg(feature = "ssr")]
pub mod templates;

#[cfg(feature = "ssr")]
pub use outbox::{enqueue, enqueue_many, Outbox};
#[cfg(feature = "ssr")]
pub use sender::{MailTransport, Sender, SenderConfig};

/// A mail ready to be queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}
