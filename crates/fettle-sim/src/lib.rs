//! A simulated athlete (being written).
