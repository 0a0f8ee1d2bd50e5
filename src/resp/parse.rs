//! Incremental request parser (multibulk and inline) with Redis's limits and
//! protocol-error texts. Owned by the server work (issue 2, step 2).
