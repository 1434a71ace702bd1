extension Generator {
    /// Pixels per piece of an activation pass: the piece's rows of every channel stay in cache.
    static let activationPiece = 2048

    /// Adds the per-channel bias, applies leaky ReLU (slope 0.2), then pixel norm over channels,
    /// in place on rows `rows` of `[channels, height, width]`; split into pieces run side by side
    /// when `parallel`.
    ///
    /// Per pixel: `v_c = max(u_c, 0.2 u_c)` with `u_c = x_c + bias_c`, then `v_c / sqrt(mean_c(v_c²) + 1e-8)`,
    /// the squares summed in channel order, eight pixels at a time.
    static func activate(_ x: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int, rows: Range<Int>,
                         bias: UnsafePointer<Float>, parallel: Bool) {
        let plane = height * width
        let start = rows.lowerBound * width, count = rows.count * width
        let pieces = (count + activationPiece - 1) / activationPiece
        let scale = 1 / Float(channels)
        forEachIndex(pieces, parallel: parallel && channels * count >= 1 << 15) { piece in
            let p0 = start + piece * activationPiece, p1 = min(start + count, p0 + activationPiece)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: activationPiece) { sums in
                let sums = sums.baseAddress!
                let n = p1 - p0
                sums.update(repeating: 0, count: n)
                let whole = n / 8 * 8
                for c in 0..<channels {
                    let row = x + c * plane + p0
                    let offset = bias[c]
                    var p = 0
                    while p < whole {
                        let u = Vector8.load(row + p) + offset
                        let scaled = 0.2 * u
                        let v = u.replacing(with: scaled, where: u .< scaled)
                        Vector8.store(v, row + p)
                        Vector8.store(Vector8.load(sums + p) + v * v, sums + p)
                        p += 8
                    }
                    while p < n {
                        let u = row[p] + offset
                        let v = max(u, 0.2 * u)
                        row[p] = v
                        sums[p] += v * v
                        p += 1
                    }
                }
                for p in 0..<n { sums[p] = 1 / (sums[p] * scale + 1e-8).squareRoot() }
                for c in 0..<channels {
                    let row = x + c * plane + p0
                    var p = 0
                    while p < whole {
                        Vector8.store(Vector8.load(row + p) * Vector8.load(sums + p), row + p)
                        p += 8
                    }
                    while p < n {
                        row[p] *= sums[p]
                        p += 1
                    }
                }
            }
        }
    }
}
