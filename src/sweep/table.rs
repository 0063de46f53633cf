//! `runs.parquet`: the rows of `runs.csv` as a typed table (run ids and seeds as 64-bit
//! integers, numeric parameters and metrics as doubles with nulls, text as UTF-8), converted in
//! batches so memory does not grow with the number of runs. Readable by pandas, polars, R arrow.

use super::store::Manifest;
use crate::error::SimError;
use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use std::fs::{self, File};
use std::path::Path;
use std::sync::Arc;

/// Rows per record batch (and at most per row group).
const BATCH: usize = 8192;

enum Column {
    Int(Int64Builder),
    Float(Float64Builder),
    Text(StringBuilder),
}

impl Column {
    fn of(t: &DataType) -> Self {
        match t {
            DataType::Int64 => Column::Int(Int64Builder::new()),
            DataType::Float64 => Column::Float(Float64Builder::new()),
            _ => Column::Text(StringBuilder::new()),
        }
    }

    fn push(&mut self, cell: &str) -> Result<(), String> {
        match self {
            Column::Int(b) => b.append_value(cell.parse::<i64>().map_err(|e| format!("`{cell}`: {e}"))?),
            Column::Float(b) if cell.is_empty() => b.append_null(),
            Column::Float(b) => b.append_value(cell.parse::<f64>().map_err(|e| format!("`{cell}`: {e}"))?),
            Column::Text(b) if cell.is_empty() => b.append_null(),
            Column::Text(b) => b.append_value(cell),
        }
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Int(b) => Arc::new(b.finish()),
            Column::Float(b) => Arc::new(b.finish()),
            Column::Text(b) => Arc::new(b.finish()),
        }
    }
}

/// The Parquet schema of a sweep's runs, in `runs.csv` column order.
pub fn schema(m: &Manifest) -> Schema {
    let mut fields: Vec<Field> =
        ["run_id", "point_id", "replicate", "seed"].iter().map(|n| Field::new(*n, DataType::Int64, false)).collect();
    for p in &m.parameters {
        fields.push(Field::new(&p.name, if p.numeric { DataType::Float64 } else { DataType::Utf8 }, true));
    }
    fields.extend(m.metrics.iter().map(|n| Field::new(n, DataType::Float64, true)));
    fields.push(Field::new("status", DataType::Utf8, false));
    fields.push(Field::new("error", DataType::Utf8, true));
    Schema::new(fields)
}

/// Converts `runs.csv` into `runs.parquet` (through a temporary file, renamed into place).
pub fn csv_to_parquet(csv_path: &Path, out: &Path, m: &Manifest) -> Result<(), SimError> {
    let tmp = out.with_file_name(format!(".{}.tmp", out.file_name().map_or("runs".into(), |n| n.to_string_lossy())));
    let result = write(csv_path, &tmp, m).and_then(|()| fs::rename(&tmp, out).map_err(|e| SimError::io(out, e)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn write(csv_path: &Path, tmp: &Path, m: &Manifest) -> Result<(), SimError> {
    let schema = Arc::new(schema(m));
    let bad = |message: String| SimError::Usage(format!("{}: {message}", csv_path.display()));
    let parquet_err = |e: parquet::errors::ParquetError| SimError::io(tmp, std::io::Error::other(e));
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_path(csv_path).map_err(|e| bad(e.to_string()))?;
    let file = File::create(tmp).map_err(|e| SimError::io(tmp, e))?;
    let mut writer = ArrowWriter::try_new(file, schema.clone(), None).map_err(parquet_err)?;
    let mut columns: Vec<Column> = schema.fields().iter().map(|f| Column::of(f.data_type())).collect();
    let mut rows = 0;
    let mut record = csv::StringRecord::new();
    let flush = |columns: &mut Vec<Column>, writer: &mut ArrowWriter<File>| -> Result<(), SimError> {
        let arrays: Vec<ArrayRef> = columns.iter_mut().map(Column::finish).collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| bad(e.to_string()))?;
        writer.write(&batch).map_err(parquet_err)
    };
    while reader.read_record(&mut record).map_err(|e| bad(e.to_string()))? {
        if record.len() != columns.len() {
            return Err(bad(format!("a row has {} fields, the header {}", record.len(), columns.len())));
        }
        for ((column, cell), field) in columns.iter_mut().zip(record.iter()).zip(schema.fields()) {
            column.push(cell).map_err(|e| bad(format!("column `{}`: {e}", field.name())))?;
        }
        rows += 1;
        if rows % BATCH == 0 {
            flush(&mut columns, &mut writer)?;
        }
    }
    if rows % BATCH != 0 || rows == 0 {
        flush(&mut columns, &mut writer)?;
    }
    let file = writer.into_inner().map_err(parquet_err)?;
    file.sync_all().map_err(|e| SimError::io(tmp, e))
}
