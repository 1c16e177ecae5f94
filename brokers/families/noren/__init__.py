"""The Noren OMS family: one implementation serving Shoonya, Flattrade, Zebu and TradeSmart."""
