/// The upscaler network families psgan can load, told apart by their tensor names.
public enum UpscalerArchitecture: String, Sendable {
    /// SRGAN's generator (leftthomas/SRGAN): `block1.0` ... `blockN.*`, residual blocks with BatchNorm.
    case srgan
    /// Real-ESRGAN's SRVGGNetCompact: `body.0` ... `body.{2n}`, plain conv + PReLU.
    case srvggCompact = "srvgg-compact"
}
