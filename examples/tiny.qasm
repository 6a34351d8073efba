// Two qubits, three T gates: the smallest program whose whole stream `magicpipe verify stream` runs as one Stim
// circuit (docs/lattice.md, "The whole stream as one circuit").
OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
h q[0];
h q[1];
t q[0];
cx q[0],q[1];
t q[1];
cx q[0],q[1];
t q[0];
