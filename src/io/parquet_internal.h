/*
 * parquet_internal.h - what the footer reader (parquet.c) hands the row
 * reader (parquet_rows.c): the schema's leaves, the top-level columns and
 * the column chunks of every row group.
 */
#ifndef COSTRANK_IO_PARQUET_INTERNAL_H
#define COSTRANK_IO_PARQUET_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "costrank/parquet.h"

enum pq_type {
	PQ_BOOLEAN = 0, PQ_INT32 = 1, PQ_INT64 = 2, PQ_INT96 = 3, PQ_FLOAT = 4,
	PQ_DOUBLE = 5, PQ_BYTE_ARRAY = 6, PQ_FLBA = 7
};

enum pq_codec {
	PQ_UNCOMPRESSED = 0, PQ_SNAPPY = 1, PQ_GZIP = 2, PQ_LZO = 3, PQ_BROTLI = 4,
	PQ_LZ4 = 5, PQ_ZSTD = 6, PQ_LZ4_RAW = 7
};

enum pq_encoding {
	PQ_PLAIN = 0, PQ_PLAIN_DICTIONARY = 2, PQ_RLE = 3, PQ_BIT_PACKED = 4,
	PQ_DELTA_BINARY_PACKED = 5, PQ_DELTA_LENGTH_BYTE_ARRAY = 6,
	PQ_DELTA_BYTE_ARRAY = 7, PQ_RLE_DICTIONARY = 8, PQ_BYTE_STREAM_SPLIT = 9
};

/* How a leaf's values are written as text. */
enum pq_text {
	TX_BYTES,      /* strings and other byte arrays, as they are */
	TX_BOOL,
	TX_INT,        /* signed integers */
	TX_UINT,       /* unsigned integers (INT(n, false)) */
	TX_DECIMAL,    /* an unscaled integer and a scale */
	TX_DATE,       /* days since 1970-01-01 */
	TX_TIMESTAMP,  /* units since 1970-01-01T00:00:00 */
	TX_INT96,      /* nanoseconds of the day and a Julian day */
	TX_FLOAT,
	TX_DOUBLE
};

struct pq_leaf {
	char *path;            /* "product.key_value.key", for messages */
	int type;              /* enum pq_type */
	int type_length;       /* FIXED_LEN_BYTE_ARRAY */
	int text;              /* enum pq_text */
	int scale;             /* TX_DECIMAL */
	int64_t ts_per_sec;    /* TX_TIMESTAMP: 1000, 1000000 or 1000000000 */
	int max_def, max_rep;
	int entry_def;         /* def level of its innermost repeated group (0: none) */
	bool required;         /* not optional: a missing value is an error */
};

enum pq_shape { SHAPE_FLAT, SHAPE_MAP, SHAPE_LIST, SHAPE_OTHER };

struct pq_column {
	char *name;
	int shape;             /* enum pq_shape */
	size_t leaf;           /* first leaf (the key for a map) */
	size_t nleaves;
};

struct pq_chunk {
	int codec;
	int type;
	int64_t num_values;
	int64_t start, size;   /* where its pages lie in the file */
};

struct pq_row_group {
	int64_t num_rows;
	struct pq_chunk *chunks;   /* one per leaf */
};

struct cr_pq_file {
	char *name;
	int64_t size;
	cr_pq_read_fn *read;
	void *ctx;
	struct pq_local *local;    /* cr_pq_open's file, else NULL */
	struct pq_mem *mem;        /* cr_pq_open_memory's buffer, else NULL */
	struct pq_leaf *leaves;
	size_t nleaves;
	struct pq_column *columns;
	cr_field *fields;          /* the column names */
	size_t ncolumns;
	struct pq_row_group *groups;
	size_t ngroups;
	int64_t num_rows;
};

#endif
