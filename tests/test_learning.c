/* test_learning.c: placeholder. */
int main(void) { return 77; }
