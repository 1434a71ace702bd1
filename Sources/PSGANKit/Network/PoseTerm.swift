/// The pose channels' share of a block's first convolution, from where the keypoints are.
///
/// Each pose map is -1 everywhere but for at most one +1, so instead of convolving K mostly
/// constant maps, their contribution to output pixel (y, x) of channel o is
///
/// ```
/// -Σ_k Σ_{taps t inside the image} W[o, k, t]  +  Σ_k 2 W[o, k, q_k - (y, x)]   (when q_k is a neighbour)
/// ```
///
/// The first sum depends only on whether (y, x) lies on the top or bottom row and the left or right
/// column (the zero padding drops taps there), so it is one of nine values per output channel,
/// computed once from the weights: its value inside the map (``interior``) goes into the bias, and
/// ``add(to:height:width:rows:pixels:)`` adds the rest on the border; the second sum touches at
/// most nine pixels per keypoint. That takes K input channels out of every such convolution's
/// GEMMs and transforms.
struct PoseTerm {
    let keypoints: Int
    let outputChannels: Int
    /// The pose channels' weights, `[out][k][3][3]`.
    let weights: [Float]
    /// `border[o * 9 + rowClass * 3 + columnClass]`: the -1 maps' sum, classes 0 (first row or
    /// column), 1 (inside), 2 (last).
    let border: [Float]
    /// The first sum inside the map (away from its border), per output channel.
    let interior: [Float]

    /// Takes the pose channels `firstPoseChannel ..< firstPoseChannel + keypoints` of a 3x3
    /// convolution's PyTorch-layout weight `[out, in, 3, 3]`.
    init(weight: [Float], outputChannels: Int, inputChannels: Int, firstPoseChannel: Int, keypoints: Int) {
        precondition(weight.count == outputChannels * inputChannels * 9 && firstPoseChannel + keypoints == inputChannels)
        self.keypoints = keypoints
        self.outputChannels = outputChannels
        var weights = [Float](repeating: 0, count: outputChannels * keypoints * 9)
        var border = [Float](repeating: 0, count: outputChannels * 9)
        for o in 0..<outputChannels {
            var taps = [Double](repeating: 0, count: 9)
            for k in 0..<keypoints {
                let source = (o * inputChannels + firstPoseChannel + k) * 9
                for t in 0..<9 {
                    weights[(o * keypoints + k) * 9 + t] = weight[source + t]
                    taps[t] += Double(weight[source + t])
                }
            }
            for rowClass in 0..<3 {
                for columnClass in 0..<3 {
                    var sum = 0.0
                    for ty in 0..<3 where !(rowClass == 0 && ty == 0) && !(rowClass == 2 && ty == 2) {
                        for tx in 0..<3 where !(columnClass == 0 && tx == 0) && !(columnClass == 2 && tx == 2) {
                            sum += taps[ty * 3 + tx]
                        }
                    }
                    border[o * 9 + rowClass * 3 + columnClass] = Float(-sum)
                }
            }
        }
        self.weights = weights
        self.border = border
        interior = (0..<outputChannels).map { border[$0 * 9 + 4] }
    }

    /// Adds the term less ``interior`` to rows `rows` of every channel of `output` (`[out, height,
    /// width]`, at least 2 x 2), for keypoints at `pixels` (at this map's scale; nil for a map that
    /// is all -1).
    func add(to output: UnsafeMutablePointer<Float>, height: Int, width: Int, rows: Range<Int>, pixels: [(x: Int, y: Int)?]) {
        precondition(height >= 2 && width >= 2 && pixels.count == keypoints)
        border.withUnsafeBufferPointer { b in
            weights.withUnsafeBufferPointer { w in
                for o in 0..<outputChannels {
                    let plane = output + o * height * width
                    let inside = b[o * 9 + 4]
                    for y in rows {
                        let classes = b.baseAddress! + o * 9 + (y == 0 ? 0 : y == height - 1 ? 6 : 3)
                        let line = plane + y * width
                        line[0] += classes[0] - inside
                        line[width - 1] += classes[2] - inside
                        if classes[1] != inside {
                            let delta = classes[1] - inside
                            for x in 1 ..< width - 1 { line[x] += delta }
                        }
                    }
                    for (k, pixel) in pixels.enumerated() {
                        guard let (qx, qy) = pixel else { continue }
                        // Output (y, x) reads input (y + ty - 1, x + tx - 1) with tap (ty, tx).
                        for ty in 0..<3 {
                            let y = qy - ty + 1
                            guard rows.contains(y) else { continue }
                            for tx in 0..<3 {
                                let x = qx - tx + 1
                                guard x >= 0 && x < width else { continue }
                                plane[y * width + x] += 2 * w[(o * keypoints + k) * 9 + ty * 3 + tx]
                            }
                        }
                    }
                }
            }
        }
    }
}
