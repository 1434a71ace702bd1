/// Remembers computed frames by what they were computed from, so a repeated input is computed once.
///
/// A looped cycle or a held pose hands a stage the same input again; every stage is deterministic,
/// so the result is the same to the bit and is taken from here instead. Keys are compared in full
/// (never by hash alone). Entries leave first-in first-out once their bytes pass ``budget``.
/// Not thread-safe: a memo belongs to the one queue that runs its stage.
final class FrameMemo<Key: Hashable, Value> {
    /// Bytes of values kept at most (the newest entry is always kept).
    let budget: Int
    private let bytes: (Value) -> Int
    private var entries: [Key: Value] = [:]
    private var order: [Key] = []
    private var oldest = 0
    private var held = 0
    /// How many lookups found their value here.
    private(set) var hits = 0

    /// A memo holding up to `budget` bytes of values, each weighing `bytes(value)`.
    init(budget: Int, bytes: @escaping (Value) -> Int) {
        self.budget = budget
        self.bytes = bytes
    }

    /// The value for `key`: the remembered one, or `make()`'s, which is then remembered.
    func value(for key: Key, make: () throws -> Value) rethrows -> Value {
        if let found = entries[key] {
            hits += 1
            return found
        }
        let value = try make()
        entries[key] = value
        order.append(key)
        held += bytes(value)
        while held > budget, order.count - oldest > 1 {
            held -= entries.removeValue(forKey: order[oldest]).map(bytes) ?? 0
            oldest += 1
        }
        if oldest > 64, oldest * 2 > order.count {
            order.removeFirst(oldest)
            oldest = 0
        }
        return value
    }
}

/// What a generator frame is computed from: the latent's exact bits and the keypoints' pixels on the
/// model canvas (the condition maps at every scale follow from those).
struct GeneratorInputs: Hashable {
    let latent: [UInt32]
    let pixels: [Int]

    init(latent: [Float], conditions: ConditionMaps) {
        self.latent = latent.map(\.bitPattern)
        self.pixels = conditions.pixels.flatMap { $0.map { [$0.x, $0.y] } ?? [-1, -1] }
    }
}
