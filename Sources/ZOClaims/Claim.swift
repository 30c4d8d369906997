import ZOStats
