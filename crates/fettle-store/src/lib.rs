//! Persistence for Fettle (being written).
