using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>Corrupts a training batch before it enters the encoder (denoising). Never used at inference.</summary>
public interface ICorruption
{
    /// <summary>Returns the corrupted batch (a buffer the corruption owns); <paramref name="clean"/> is left unchanged.</summary>
    Matrix Apply(Matrix clean, NnContext ctx);
}

/// <summary>A penalty added to the reconstruction loss (sparsity, contraction, …).</summary>
public interface IRegularizer
{
    /// <summary>
    /// Called after the decoder's backward pass and before the encoder's, with the encoder's last forward pass still
    /// cached. Adds ∂penalty/∂code (batch-mean scaled) into <paramref name="codeGrad"/> and may add directly into
    /// encoder parameter gradients. Returns the penalty summed over the batch.
    /// </summary>
    double Apply(Network encoder, Matrix encoderInput, Matrix code, Matrix codeGrad, NnContext ctx);
}
