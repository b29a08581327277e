import Domain

/// One row of one replicated entity, as a key: the rows a batch of writes or a pull has touched.
struct RowKey: Hashable {
    var entity: String
    var id: RecordID
}
