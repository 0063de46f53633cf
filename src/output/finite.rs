//! Finds a number that is not finite (NaN or an infinity) in an output row before it is
//! written: a run whose parameters push a sum past `f64` would otherwise write `NaN` and `inf`
//! into files that look complete.
//!
//! [`first_non_finite`] walks a row through serde, the way the CSV writer sees it, without
//! allocating: a full-scale run checks millions of rows.

use serde::Serialize;
use serde::ser::{self, Impossible};
use std::fmt;

/// The name of the first field of `row` that holds a number that is not finite, if any
/// (`"value"` for a bare number; a field nested in a tuple or sequence is named by its
/// outermost field).
pub fn first_non_finite<T: Serialize + ?Sized>(row: &T) -> Option<&'static str> {
    match row.serialize(Probe { field: "value" }) {
        Ok(()) => None,
        Err(Found(field)) => Some(field),
    }
}

/// The field where a number that is not finite was found.
#[derive(Debug)]
struct Found(&'static str);

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a finite number", self.0)
    }
}

impl std::error::Error for Found {}

impl ser::Error for Found {
    fn custom<M: fmt::Display>(_: M) -> Self {
        // Rows are plain data: nothing in them fails to serialize but a number probed here.
        Found("?")
    }
}

/// A serializer that accepts everything but a number that is not finite; `field` names where
/// it stands.
#[derive(Clone, Copy)]
struct Probe {
    field: &'static str,
}

impl Probe {
    fn float(self, v: f64) -> Result<(), Found> {
        if v.is_finite() { Ok(()) } else { Err(Found(self.field)) }
    }
}

/// Serializer methods for values that are always finite.
macro_rules! accept {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Result<(), Found> { Ok(()) })*
    };
}

impl ser::Serializer for Probe {
    type Ok = ();
    type Error = Found;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), Found>;

    accept!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_f32(self, v: f32) -> Result<(), Found> {
        self.float(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Found> {
        self.float(v)
    }
    fn serialize_none(self) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Found> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Found> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        v: &T,
    ) -> Result<(), Found> {
        v.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Found> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Found> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Found> {
        Ok(self)
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self, Found> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Found> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Found> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Impossible<(), Found>, Found> {
        // No output row holds one.
        Err(Found(variant))
    }
}

/// Sequences, tuples and maps: every element is probed under the enclosing field's name.
macro_rules! elements {
    ($($trait:ident::$method:ident),* $(,)?) => {
        $(impl ser::$trait for Probe {
            type Ok = ();
            type Error = Found;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Found> {
                v.serialize(*self)
            }
            fn end(self) -> Result<(), Found> {
                Ok(())
            }
        })*
    };
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl ser::SerializeMap for Probe {
    type Ok = ();
    type Error = Found;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Found> {
        k.serialize(*self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Found> {
        v.serialize(*self)
    }
    fn end(self) -> Result<(), Found> {
        Ok(())
    }
}

impl ser::SerializeStruct for Probe {
    type Ok = ();
    type Error = Found;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Found> {
        v.serialize(Probe { field: key })
    }
    fn end(self) -> Result<(), Found> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        year: i32,
        name: &'static str,
        cash: f64,
        growth: Option<f64>,
        pair: (f64, f64),
    }

    #[test]
    fn names_the_first_field_that_is_not_finite() {
        let row = |cash, growth, pair| Row { year: 2025, name: "temu", cash, growth, pair };
        assert_eq!(first_non_finite(&row(1.5, None, (0.0, 1.0))), None);
        assert_eq!(first_non_finite(&row(f64::NAN, None, (0.0, 1.0))), Some("cash"));
        assert_eq!(first_non_finite(&row(-1.0, Some(f64::INFINITY), (0.0, 1.0))), Some("growth"));
        assert_eq!(first_non_finite(&row(-1.0, Some(0.1), (0.0, f64::NEG_INFINITY))), Some("pair"));
        assert_eq!(first_non_finite(&f64::NAN), Some("value"));
        assert_eq!(first_non_finite(&vec![1.0, 2.0]), None);
    }
}
