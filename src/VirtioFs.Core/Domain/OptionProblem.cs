// SPDX-License-Identifier: MIT
using System;

namespace VirtioFs.Domain;

/// <summary>What is wrong with an option's value: a stable error id and the message.</summary>
internal sealed record OptionProblem(string ErrorId, string Message, string? Fix = null);
