//! The transactional mails. Each returns text and HTML bodies with the same content; every
//! value put into HTML is escaped.

use super::Email;

fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Wraps paragraphs and one call-to-action link in Gala's mail layout.
fn layout(
    to: &str,
    subject: &str,
    greeting: &str,
    paragraphs: &[&str],
    action: Option<(&str, &str)>,
    footer: &str,
) -> Email {
    let mut text = format!("{greeting}\n\n");
    let mut html = format!(
        "<!doctype html><html><body style=\"margin:0;background:#f7f5fa;font-family:system-ui,sans-serif;color:#1a1523\">\
         <div style=\"max-width:560px;margin:0 auto;padding:24px\">\
         <p style=\"font-size:20px;font-weight:800;color:#b3123f;margin:0 0 16px\">Gala</p>\
         <div style=\"background:#fff;border-radius:12px;padding:24px\">\
         <p>{}</p>",
        escape(greeting)
    );
    for paragraph in paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
        html.push_str(&format!("<p>{}</p>", escape(paragraph)));
    }
    if let Some((label, url)) = action {
        text.push_str(&format!("{label}: {url}\n\n"));
        html.push_str(&format!(
            "<p><a href=\"{url}\" style=\"display:inline-block;background:#b3123f;color:#fff;padding:12px 20px;border-radius:999px;text-decoration:none;font-weight:600\">{label}</a></p>\
             <p style=\"font-size:13px;color:#564f63\">Or paste this link into your browser: {url}</p>",
            url = escape(url),
            label = escape(label)
        ));
    }
    text.push_str(footer);
    text.push('\n');
    html.push_str(&format!(
        "</div><p style=\"font-size:13px;color:#564f63\">{}</p></div></body></html>",
        escape(footer)
    ));
    Email {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
        html,
    }
}

const FOOTER: &str = "You received this because of activity on your Gala account. If it wasn't you, you can ignore this mail.";

/// "Verify your email" with the single-use link.
pub fn verify_email(to: &str, display_name: &str, link: &str) -> Email {
    layout(
        to,
        "Verify your email for Gala",
        // Gala's words first: the name is whatever the person signing up typed, so it never
        // opens the mail (where it could pass for a message from Gala).
        "Welcome to Gala.",
        &[
            &format!("Someone (hopefully you) created a Gala account named “{display_name}” with this email address. Please confirm it is yours so you can buy and manage brands. The link works once and expires in 48 hours."),
            "If you did not sign up, ignore this mail: the address stays unconfirmed and nothing can be bought with it.",
        ],
        Some(("Verify my email", link)),
        FOOTER,
    )
}

/// Sent instead of a verification mail when someone signs up with an address that already has
/// an account, so the sign-up form does not reveal which addresses are registered.
pub fn already_registered(
    to: &str,
    display_name: &str,
    sign_in_link: &str,
    reset_link: &str,
) -> Email {
    layout(
        to,
        "You already have a Gala account",
        &format!("Hi {display_name},"),
        &[
            "Someone (hopefully you) tried to create a Gala account with this email address, but you already have one.",
            &format!("Forgot your password? Reset it here: {reset_link}"),
        ],
        Some(("Sign in", sign_in_link)),
        FOOTER,
    )
}

/// "Reset your password" with the single-use, one-hour link.
pub fn password_reset(to: &str, display_name: &str, link: &str) -> Email {
    layout(
        to,
        "Reset your Gala password",
        &format!("Hi {display_name},"),
        &["We received a request to reset your password. The link works once and expires in 1 hour. Resetting signs you out on every device."],
        Some(("Choose a new password", link)),
        FOOTER,
    )
}

/// Confirms a password change (reset or change), so a hijack does not go unnoticed.
pub fn password_changed(to: &str, display_name: &str, reset_link: &str) -> Email {
    layout(
        to,
        "Your Gala password was changed",
        &format!("Hi {display_name},"),
        &["Your password was just changed and your other sessions were signed out. If this wasn't you, reset your password now."],
        Some(("Reset my password", reset_link)),
        FOOTER,
    )
}

/// A platform admin's decision about a brand (approval, rejection, requested changes,
/// suspension, reinstatement), with the admin's reason when there is one.
pub fn brand_decision(
    to: &str,
    brand_name: &str,
    headline: &str,
    reason: Option<&str>,
    link: &str,
) -> Email {
    review_decision(
        to,
        &format!("{brand_name} on Gala: {headline}"),
        headline,
        reason,
        ("Open your brand", link),
        "You received this because you applied to sell on Gala.",
    )
}

/// A platform admin's decision about a promotion (approved, rejected, changes requested),
/// with the admin's reason when there is one.
pub fn promotion_decision(
    to: &str,
    promotion_name: &str,
    headline: &str,
    reason: Option<&str>,
    link: &str,
) -> Email {
    review_decision(
        to,
        &format!("“{promotion_name}” on Gala: {headline}"),
        headline,
        reason,
        ("Open the promotion", link),
        "You received this because you submitted this promotion on Gala.",
    )
}

/// An admin's decision on a pre-sale campaign, to whoever submitted it.
pub fn presale_decision(
    to: &str,
    campaign_name: &str,
    headline: &str,
    reason: Option<&str>,
    link: &str,
) -> Email {
    review_decision(
        to,
        &format!("Pre-sale “{campaign_name}” on Gala: {headline}"),
        headline,
        reason,
        ("Open the campaign", link),
        "You received this because you submitted this pre-sale campaign on Gala.",
    )
}

/// A review's outcome: the headline, the admin's reason if any, and a button.
fn review_decision(
    to: &str,
    subject: &str,
    headline: &str,
    reason: Option<&str>,
    button: (&str, &str),
    footer: &str,
) -> Email {
    let reason_line = reason.map(|r| format!("Reason given by the Gala team: {r}"));
    let mut paragraphs = vec![headline];
    if let Some(line) = reason_line.as_deref() {
        paragraphs.push(line);
    }
    layout(to, subject, "Hello,", &paragraphs, Some(button), footer)
}

/// An invitation to join a brand's team.
pub fn team_invite(to: &str, brand_name: &str, role: &str, link: &str) -> Email {
    layout(
        to,
        &format!("Join {brand_name} on Gala"),
        "Hello,",
        &[&format!("You're invited to join {brand_name}'s team on Gala as {role}. The link works once and expires in 7 days. If you don't have a Gala account yet, create one with this email address first.")],
        Some(("Accept the invitation", link)),
        "You received this because a brand owner on Gala invited this address.",
    )
}

/// "Thank you for your order": what was bought, the total and a link to the order.
pub fn order_confirmation(
    to: &str,
    number: &str,
    items: &[String],
    total: &str,
    link: &str,
) -> Email {
    let mut paragraphs = vec![format!(
        "Thank you for your order {number}. We have your payment of {total}; each brand ships its part and mails you when it's on its way."
    )];
    paragraphs.extend(items.iter().cloned());
    let paragraphs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    layout(
        to,
        &format!("Your Gala order {number}"),
        "Hello,",
        &paragraphs,
        Some(("View your order", link)),
        "You received this because an order was placed with this address on Gala.",
    )
}

/// "Your parcel is on its way": one brand's part of an order, with its carrier and tracking.
pub fn order_shipped(
    to: &str,
    number: &str,
    brand: &str,
    carrier: &str,
    tracking: &str,
    link: &str,
) -> Email {
    layout(
        to,
        &format!("{brand} shipped your Gala order {number}"),
        "Hello,",
        &[
            &format!("{brand} has shipped its part of your order {number}."),
            &format!("Carrier: {carrier}. Tracking number: {tracking}."),
        ],
        Some(("View your order", link)),
        "You received this because an order was placed with this address on Gala.",
    )
}

/// "We've refunded you": how much, for what, and whether the brand cancelled its part.
pub fn order_refunded(
    to: &str,
    number: &str,
    brand: &str,
    amount: &str,
    items: &[String],
    cancelled: bool,
    link: &str,
) -> Email {
    let opening = if cancelled {
        format!(
            "{brand} cancelled its part of your order {number} and refunded {amount} to your card."
        )
    } else {
        format!("{brand} refunded {amount} of your order {number} to your card.")
    };
    let mut paragraphs = vec![opening];
    paragraphs.extend(items.iter().cloned());
    paragraphs.push("Refunds usually reach your card within 5–10 working days.".to_owned());
    let paragraphs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    layout(
        to,
        &if cancelled {
            format!("Your Gala order {number} was cancelled")
        } else {
            format!("Refund for your Gala order {number}")
        },
        "Hello,",
        &paragraphs,
        Some(("View your order", link)),
        "You received this because an order was placed with this address on Gala.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mails_have_text_and_escaped_html() {
        let mail = verify_email(
            "a@b.co",
            "<Mia>",
            "https://gala.test/verify-email?token=abc",
        );
        assert!(mail
            .text
            .contains("https://gala.test/verify-email?token=abc"));
        // Gala's words open the mail; the typed name appears only quoted, escaped in HTML.
        assert!(mail.text.starts_with("Welcome to Gala."));
        assert!(mail.text.contains("named “<Mia>”"));
        assert!(mail.html.contains("named “&lt;Mia&gt;”"));
        assert!(!mail.html.contains("<Mia>"));
        assert!(mail
            .html
            .contains("href=\"https://gala.test/verify-email?token=abc\""));
    }
}
