//! stacksmith
