import CFFmpeg
import Foundation

/// An incremental SHA-256 hasher over FFmpeg's libavutil (`av_sha_*`), which psgan links anyway.
///
/// The one place that touches libavutil's hashing context; everything else feeds it `Data` and reads
/// the digest as bytes or hex.
final class SHA256Hasher {
    private let context: OpaquePointer

    /// A hasher with nothing fed yet.
    init() {
        guard let context = av_sha_alloc() else { fatalError("av_sha_alloc: out of memory") }
        av_sha_init(context, 256)
        self.context = context
    }

    deinit {
        var pointer: UnsafeMutableRawPointer? = UnsafeMutableRawPointer(context)
        av_freep(&pointer)
    }

    /// Feeds `data` to the hash.
    func update(_ data: Data) {
        data.withUnsafeBytes { raw in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { return }
            av_sha_update(context, base, raw.count)
        }
    }

    /// The 32-byte digest of everything fed so far; the hasher is spent afterwards.
    func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBufferPointer { av_sha_final(context, $0.baseAddress) }
        return digest
    }

}

extension Array where Element == UInt8 {
    /// The bytes as lowercase hex, two digits each.
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
