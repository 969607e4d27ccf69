"""The perceptron family: Rosenblatt's learning algorithm and the (R/γ)² bound on its mistakes."""
